package dev.weft.graph.optimize;

import dev.weft.function.FnN;
import dev.weft.function.FunctionCatalog;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.PartitionFunction;
import dev.weft.function.Signature;
import dev.weft.function.TaskContext;
import dev.weft.function.TaskFunction;
import dev.weft.function.UnknownFunctionException;
import dev.weft.function.ValueType;
import dev.weft.graph.Arg;
import dev.weft.graph.Task;
import dev.weft.value.Values;
import java.util.ArrayList;
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
   * A step of a fused task: its key before fusion, its function, and for each argument the index of one of the task's
   * further arguments or {@link #PREVIOUS}.
   */
  public record Step(String key, String function, List<Long> bindings) {
    /** The step's arguments from the fused task's further arguments and the result of the step before. */
    Object[] bind(Object[] taskArgs, Object previous, int count) {
      Object[] bound = new Object[count];
      for (int i = 0; i < count; i++) {
        long binding = bindings.get(i);
        bound[i] = binding == PREVIOUS ? previous : taskArgs[1 + (int) binding];
      }
      return bound;
    }

    /** Whether the step takes the result of the step before as its last argument. */
    boolean readsPreviousLast() {
      return !bindings.isEmpty() && bindings.get(bindings.size() - 1) == PREVIOUS;
    }
  }

  /**
   * The steps of a fused task, checked: each names its key and function, and binds its arguments to the task's
   * arguments or to the step before.
   *
   * @throws IllegalArgumentException naming what is wrong, if the task's first argument is not a list of steps
   */
  public static List<Step> steps(Task task) {
    if (task.args().isEmpty() || !(task.args().get(0) instanceof Arg.Literal literal)) {
      throw malformed(task.key(), "its first argument is not a literal list of steps");
    }
    return steps(literal.value(), task.args().size() - 1, task.key());
  }

  private static List<Step> steps(Object spec, int inputs, String task) {
    if (!(spec instanceof List<?> items) || items.isEmpty()) {
      throw malformed(task, "its steps are not a list of at least one step");
    }
    List<Step> steps = new ArrayList<>(items.size());
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> step) || !(step.get(STEP_KEY) instanceof String key)
          || !(step.get(STEP_FUNCTION) instanceof String function)
          || !(step.get(STEP_ARGS) instanceof List<?> args)) {
        throw malformed(task, "step " + steps.size() + " is not a map of key, function and args");
      }
      List<Long> bindings = new ArrayList<>(args.size());
      for (Object arg : args) {
        if (!(arg instanceof Long || arg instanceof Integer) || ((Number) arg).longValue() < PREVIOUS
            || ((Number) arg).longValue() >= inputs || (steps.isEmpty() && ((Number) arg).longValue() == PREVIOUS)) {
          throw malformed(task, "step '" + key + "' binds an argument to " + arg + ", which is neither one of the "
              + inputs + " inputs nor the step before");
        }
        bindings.add(((Number) arg).longValue());
      }
      steps.add(new Step(key, function, List.copyOf(bindings)));
    }
    return steps;
  }

  private static IllegalArgumentException malformed(String task, String problem) {
    return new IllegalArgumentException((task == null ? "a fused task" : "fused task '" + task + "'")
        + " is malformed: " + problem);
  }

  private static Object run(Object[] args) throws Exception {
    List<Step> steps = steps(args[0], args.length - 1, null);
    TaskContext context = TaskContext.current();
    FunctionCatalog functions = TaskContext.currentFunctions();
    // Only the last step's result leaves the task: the steps before it run without the result limit.
    TaskContext inner = context != null ? context.withoutResultLimit()
        : new TaskContext("sync", Long.MAX_VALUE, null, functions);
    int count = steps.size();
    TaskFunction[] bodies = new TaskFunction[count];
    boolean[] streamed = new boolean[count];
    for (int s = 0; s < count; s++) {
      Step step = steps.get(s);
      bodies[s] = functions.lookup(step.function());
      if (bodies[s] == null) {
        throw new FusedStepException(step.key(), step.function(), new UnknownFunctionException(step.function(),
            functions.describeModules()));
      }
      // A step streams when it reads, as its last argument, the items a stage before it passes on.
      streamed[s] = s > 0 && bodies[s] instanceof PartitionFunction && step.readsPreviousLast()
          && bodies[s - 1] instanceof PartitionFunction before && before.passesItems();
    }
    Object result = null;
    for (int s = 0; s < count; ) {
      int end = s;
      while (end + 1 < count && streamed[end + 1]) {
        end++;
      }
      TaskContext stepContext = end == count - 1 && context != null ? context : inner;
      if (end == s) {
        Step step = steps.get(s);
        Object[] bound = step.bind(args, result, step.bindings().size());
        result = call(stepContext, step, bodies[s], bound);
      } else {
        Object items = result;
        int from = s;
        int to = end;
        result = stepContext.call(unused -> stream(items, steps.subList(from, to + 1), bodies, from, args), null);
      }
      s = end + 1;
    }
    return result;
  }

  /**
   * {@code steps} (from {@code bodies[first]} on) over the items of {@code items}, each item through all of them, no
   * list between. The first reads the list the step before gave.
   */
  private static Object stream(Object items, List<Step> steps, TaskFunction[] bodies, int first, Object[] args)
      throws Exception {
    if (!(items instanceof List<?> list)) {
      throw new FusedStepException(steps.get(0).key(), steps.get(0).function(), new IllegalArgumentException(
          "takes a list as its last argument, got " + Values.describe(items)));
    }
    PartitionFunction.Stage downstream = new PartitionFunction.Collect();
    for (int s = steps.size() - 1; s >= 0; s--) {
      Step step = steps.get(s);
      Object[] leading = step.bind(args, null, step.bindings().size() - 1);
      PartitionFunction.Stage stage;
      try {
        stage = ((PartitionFunction) bodies[first + s]).open(leading, downstream);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new FusedStepException(step.key(), step.function(), e);
      }
      downstream = new NamedStage(step.key(), step.function(), stage);
    }
    for (Object item : list) {
      downstream.accept(item);
    }
    return downstream.finish();
  }

  private static Object call(TaskContext context, Step step, TaskFunction body, Object[] args) throws Exception {
    try {
      return context.call(body, args);
    } catch (InterruptedException | FusedStepException e) {
      throw e;
    } catch (Exception e) {
      throw new FusedStepException(step.key(), step.function(), e);
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
      } catch (Exception e) {
        throw new FusedStepException(key, function, e);
      }
    }

    @Override
    public Object finish() throws Exception {
      try {
        return stage.finish();
      } catch (InterruptedException | FusedStepException e) {
        throw e;
      } catch (Exception e) {
        throw new FusedStepException(key, function, e);
      }
    }
  }
}
