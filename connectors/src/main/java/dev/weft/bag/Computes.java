package dev.weft.bag;

import dev.weft.bag.internal.Layer;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskFunction;
import dev.weft.graph.Graph;
import dev.weft.graph.optimize.GraphOptimizer;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Option;
import dev.weft.scheduler.Scheduler;
import dev.weft.scheduler.SchedulerOptions;
import dev.weft.scheduler.Weft;
import java.util.List;
import java.util.Map;

/** How a collection's keys are computed: optimized, with its lambdas where the scheduler can run them. */
final class Computes {
  /** Whether a collection's graph is culled and fused before it is scheduled. */
  static final Option<Boolean> OPTIMIZE_GRAPH = Option.of("optimize.graph", Boolean.class, true,
      "Cull and fuse a collection's graph before it is scheduled (Dask's optimize_graph). Off, every step is a task "
          + "of its own: slower, but each step's result can be seen by a callback.");

  private Computes() {}

  static Graph graph(Layer layer, List<String> keys, boolean optimized) {
    Graph graph = layer.graph(keys);
    return optimized ? Kernels.apply(GraphOptimizer.optimize(graph, keys)) : graph;
  }

  static Map<String, Object> run(Layer layer, List<String> keys, ComputeOptions options) {
    ComputeOptions effective = options.over(Weft.currentOptions());
    Map<String, TaskFunction> lambdas = layer.lambdas();
    ComputeOptions call = options;
    if (!lambdas.isEmpty()) {
      Scheduler scheduler = Weft.schedulerFor(effective);
      if (!scheduler.runsTasksInThisJvm()) {
        throw new IllegalArgumentException("this collection calls Java lambdas (" + steps(lambdas.keySet())
            + "), which the " + scheduler.name() + " scheduler cannot run: its tasks run in other JVMs, which know "
            + "only the functions of their modules. Register each function in a FunctionModule on the workers' "
            + "classpath and name it, as bag.map(\"my.parse\"), or compute on the sync or threads scheduler.");
      }
      FunctionRegistry base = effective.get(SchedulerOptions.REGISTRY);
      FunctionRegistry withLambdas = FunctionRegistry.over(base != null ? base : FunctionRegistry.global());
      lambdas.forEach(withLambdas::register);
      call = options.registry(withLambdas);
    }
    return Weft.compute(graph(layer, keys, effective.get(OPTIMIZE_GRAPH)), keys, call);
  }

  private static String steps(Iterable<String> lambdaNames) {
    StringBuilder text = new StringBuilder();
    for (String name : lambdaNames) {
      text.append(text.length() == 0 ? "" : ", ").append(name.substring(Bag.LAMBDA_PREFIX.length()));
    }
    return text.toString();
  }
}
