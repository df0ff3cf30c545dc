package dev.weft.scheduler;

import dev.weft.graph.Graph;
import java.util.List;
import java.util.Map;

/**
 * Computes task graphs. Every scheduler computes the same values for the same graph; they differ in where tasks run.
 *
 * <p>The contract, which the conformance suite checks for every implementation:
 * <ul>
 *   <li>{@code compute} returns the value of each requested key, in the order asked, and runs only the tasks those
 *       keys need;</li>
 *   <li>a graph that cannot run (a cycle, a missing dependency, an unknown function, an unknown key) is refused with a
 *       {@link dev.weft.graph.GraphValidationException} before any task runs;</li>
 *   <li>the first task that fails (after its retries) stops the compute, which throws a {@link TaskFailedException}
 *       naming the task and function and carrying the cause; no further task starts;</li>
 *   <li>callbacks see {@code start}, then {@code pretask}/{@code posttask} around each task, then {@code finish}.</li>
 * </ul>
 */
public interface Scheduler extends AutoCloseable {
  /** The name this scheduler is registered under. */
  String name();

  /**
   * Computes {@code keys} of {@code graph}.
   *
   * @param options the merged options of every level; see {@link SchedulerOptions}
   * @return each key's value, in the order of {@code keys}
   * @throws dev.weft.graph.GraphValidationException if the graph cannot run
   * @throws TaskFailedException if a task failed
   */
  Map<String, Object> compute(Graph graph, List<String> keys, ComputeOptions options);

  /**
   * Whether tasks run in the caller's JVM, where functions registered in the caller's code (a bag's lambdas) can run:
   * true for sync and threads, false for schedulers whose workers know only the functions of their modules.
   */
  default boolean runsTasksInThisJvm() {
    return false;
  }

  /** Releases the scheduler's threads, processes or connections. */
  @Override
  default void close() {}
}
