package dev.weft.local;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.FunctionRegistry;
import dev.weft.graph.Graph;
import dev.weft.graph.internal.ExecutionPlan;
import dev.weft.local.internal.SchedulingLoop;
import dev.weft.local.internal.TaskExecutor;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.Scheduler;
import dev.weft.scheduler.SchedulerOptions;
import java.util.List;
import java.util.Map;

/**
 * A scheduler of this JVM: the one {@link SchedulingLoop} with an executor that decides where tasks run. Subclasses
 * only say which executor a compute gets.
 */
public abstract class LocalScheduler implements Scheduler {
  private final String name;

  protected LocalScheduler(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public Map<String, Object> compute(Graph graph, List<String> keys, ComputeOptions options) {
    try (ExecutorLease lease = executorFor(options)) {
      FunctionCatalog functions = lease.functions(options);
      ExecutionPlan plan = ExecutionPlan.compile(graph, keys, functions);
      TaskExecutor executor = lease.executor();
      Integer maxInFlight = options.get(SchedulerOptions.MAX_IN_FLIGHT);
      GraphRun run = new GraphRun(graph, plan.outputKeys(), name, plan.size());
      return new SchedulingLoop(plan, executor, maxInFlight != null ? maxInFlight : executor.defaultMaxInFlight(),
          options.callbacks(), run, functions).run();
    }
  }

  /** The executor of one compute, and what to do when the compute is over. */
  protected abstract ExecutorLease executorFor(ComputeOptions options);

  /** An executor lent to one compute. */
  protected interface ExecutorLease extends AutoCloseable {
    TaskExecutor executor();

    /**
     * The functions this executor's tasks can call, which the graph is checked against before it runs: by default
     * the registry of this JVM ({@link SchedulerOptions#REGISTRY} or the global one).
     */
    default FunctionCatalog functions(ComputeOptions options) {
      FunctionRegistry registry = options.get(SchedulerOptions.REGISTRY);
      return registry != null ? registry : FunctionRegistry.global();
    }

    @Override
    default void close() {}

    static ExecutorLease of(TaskExecutor executor) {
      return () -> executor;
    }
  }

  /** Workers a compute asks for, or the number of processors. */
  protected static int workersFor(ComputeOptions options) {
    Integer workers = options.get(SchedulerOptions.NUM_WORKERS);
    return workers != null ? workers : Runtime.getRuntime().availableProcessors();
  }

  @Override
  public String toString() {
    return name + " scheduler";
  }
}
