package dev.weft.graph.optimize;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.FunctionModule;
import dev.weft.function.PartitionFunction;
import dev.weft.graph.Arg;
import dev.weft.graph.Task;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.Signature;
import dev.weft.function.TaskContext;
import dev.weft.function.TaskFunction;
import dev.weft.function.UnknownFunctionException;
import dev.weft.function.ValueType;
import dev.weft.function.FnN;
import java.util.List;
import java.util.Map;

/**
 * {@value #FUSED}: the steps of a chain that {@link GraphOptimizer} fused, run one after another in one task.
 *
 * <p>Its first argument lists the steps, each a map of {@code key}, {@code function} and {@code args}; an item of
 * {@code args} is the index of one of the task's further arguments, or {@value #PREVIOUS} for the result of the step
 * before. Each step's function is looked up where the task runs ({@link TaskContext#functions()}), as the task's own
 * function would be.
 */
public final class FusedFunctions implements FunctionModule {
  public static final String FUSED = "weft.fused";
  /** A step's key before it was fused. */
  public static final String STEP_KEY = "key";
  /** A step's function. */
  public static final String STEP_FUNCTION = "function";
  /** A step's arguments: for each, the index of one of the task's further arguments, or {@link #PREVIOUS}. */
  public static final String STEP_ARGS = "args";
  /** The binding of an argument to the result of the step before. */
  public static final long PREVIOUS = -1L;

  @Override
  public String name() {
    return "fused";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register(FnN.of(FUSED, Signature.variadic(ValueType.ANY, ValueType.ANY), FusedFunctions::run));
  }

  /**
   * The steps of a fused task as {@code {key, function}} pairs, for checks before it runs; none if its first argument
   * is not a list of steps (the task then fails when it runs, saying so).
   */
  public static List<String[]> steps(Task task) {
    if (task.args().isEmpty() || !(task.args().get(0) instanceof Arg.Literal literal)
        || !(literal.value() instanceof List<?> steps)) {
      return List.of();
    }
    List<String[]> found = new java.util.ArrayList<>(steps.size());
    for (Object item : steps) {
      if (item instanceof Map<?, ?> step && step.get(STEP_KEY) instanceof String key
          && step.get(STEP_FUNCTION) instanceof String function) {
        found.add(new String[] {key, function});
      }
    }
    return found;
  }

  private static Object run(Object[] args) throws Exception {
    List<?> steps = (List<?>) args[0];
    TaskContext context = TaskContext.current();
    FunctionCatalog functions = context != null ? context.functions() : FunctionRegistry.global();
    int count = steps.size();
    String[] keys = new String[count];
    String[] names = new String[count];
    TaskFunction[] bodies = new TaskFunction[count];
    Object[][] bound = new Object[count][];
    boolean[] streamed = new boolean[count];
    for (int s = 0; s < count; s++) {
      Map<?, ?> step = (Map<?, ?>) steps.get(s);
      keys[s] = (String) step.get(STEP_KEY);
      names[s] = (String) step.get(STEP_FUNCTION);
      bodies[s] = functions.lookup(names[s]);
      if (bodies[s] == null) {
        throw new FusedStepException(keys[s], names[s], new UnknownFunctionException(names[s],
            functions.describeModules()));
      }
      List<?> bindings = (List<?>) step.get(STEP_ARGS);
      bound[s] = new Object[bindings.size()];
      for (int i = 0; i < bound[s].length; i++) {
        long binding = ((Number) bindings.get(i)).longValue();
        bound[s][i] = binding == PREVIOUS ? null : args[1 + (int) binding];
      }
      // A step streams when it reads the items of the step before as its last argument.
      streamed[s] = s > 0 && bodies[s] instanceof PartitionFunction && !bindings.isEmpty()
          && ((Number) bindings.get(bindings.size() - 1)).longValue() == PREVIOUS;
    }
    Object result = null;
    for (int s = 0; s < count; ) {
      if (!streamed[s]) {
        bindPrevious(steps, s, bound[s], result);
        result = call(keys[s], names[s], bodies[s], bound[s]);
        s++;
        continue;
      }
      int end = s;
      while (end + 1 < count && streamed[end + 1]) {
        end++;
      }
      result = stream(result, s, end, keys, names, bodies, bound, steps);
      s = end + 1;
    }
    return result;
  }

  /** Steps {@code from..to} over the items of {@code items}, each item through all of them, no list between. */
  private static Object stream(Object items, int from, int to, String[] keys, String[] names, TaskFunction[] bodies,
      Object[][] bound, List<?> steps) throws Exception {
    if (!(items instanceof List<?> list)) {
      throw new FusedStepException(keys[from], names[from], new IllegalArgumentException(
          "takes a list as its last argument, got " + dev.weft.value.Values.describe(items)));
    }
    PartitionFunction.Stage downstream = new PartitionFunction.Collect();
    for (int s = to; s >= from; s--) {
      Object[] leading = java.util.Arrays.copyOf(bound[s], bound[s].length - 1);
      bindPrevious(steps, s, leading, null);
      PartitionFunction.Stage stage;
      try {
        stage = ((PartitionFunction) bodies[s]).open(leading, downstream);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new FusedStepException(keys[s], names[s], e);
      }
      downstream = new NamedStage(keys[s], names[s], stage);
    }
    for (Object item : list) {
      downstream.accept(item);
    }
    return downstream.finish();
  }

  /** Binds the result of the step before to the arguments of step {@code s} that take it (not its last one). */
  private static void bindPrevious(List<?> steps, int s, Object[] args, Object previous) {
    List<?> bindings = (List<?>) ((Map<?, ?>) steps.get(s)).get(STEP_ARGS);
    for (int i = 0; i < args.length; i++) {
      if (((Number) bindings.get(i)).longValue() == PREVIOUS) {
        args[i] = previous;
      }
    }
  }

  private static Object call(String key, String function, TaskFunction body, Object[] args) throws Exception {
    try {
      return body.apply(args);
    } catch (InterruptedException | FusedStepException e) {
      throw e;
    } catch (Exception | Error e) {
      throw new FusedStepException(key, function, e);
    }
  }

  /** A stage whose failures name its step; a failure of a stage after it is already named. */
  private record NamedStage(String key, String function, PartitionFunction.Stage stage)
      implements PartitionFunction.Stage {
    @Override
    public void accept(Object item) throws Exception {
      try {
        stage.accept(item);
      } catch (InterruptedException | FusedStepException e) {
        throw e;
      } catch (Exception | Error e) {
        throw new FusedStepException(key, function, e);
      }
    }

    @Override
    public Object finish() throws Exception {
      try {
        return stage.finish();
      } catch (InterruptedException | FusedStepException e) {
        throw e;
      } catch (Exception | Error e) {
        throw new FusedStepException(key, function, e);
      }
    }
  }
}
