package dev.weft.graph.optimize;

import dev.weft.function.FunctionModule;
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
  static final String STEP_KEY = "key";
  static final String STEP_FUNCTION = "function";
  static final String STEP_ARGS = "args";
  /** The binding of an argument to the result of the step before. */
  static final long PREVIOUS = -1L;

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
    Object result = null;
    for (Object item : steps) {
      Map<?, ?> step = (Map<?, ?>) item;
      String key = (String) step.get(STEP_KEY);
      String function = (String) step.get(STEP_FUNCTION);
      List<?> bindings = (List<?>) step.get(STEP_ARGS);
      Object[] stepArgs = new Object[bindings.size()];
      for (int i = 0; i < stepArgs.length; i++) {
        long binding = ((Number) bindings.get(i)).longValue();
        stepArgs[i] = binding == PREVIOUS ? result : args[1 + (int) binding];
      }
      TaskFunction body = context != null ? context.functions().lookup(function)
          : FunctionRegistry.global().lookup(function);
      if (body == null) {
        throw new FusedStepException(key, function, new UnknownFunctionException(function,
            context != null ? context.functions().describeModules() : FunctionRegistry.global().describeModules()));
      }
      try {
        result = body.apply(stepArgs);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception | Error e) {
        throw new FusedStepException(key, function, e);
      }
    }
    return result;
  }
}
