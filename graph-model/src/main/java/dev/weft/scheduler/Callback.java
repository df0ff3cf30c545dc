package dev.weft.scheduler;

/**
 * Diagnostics hooks around a compute, as Dask's callbacks: {@code start}, {@code pretask} and {@code posttask} for each
 * task, and {@code finish}. Every scheduler calls them one at a time, in that order, so a callback needs no locking; a
 * slow callback slows the compute. Register per call with {@link ComputeOptions#callbacks}, or for a scope with
 * {@link Weft#scoped}; a compute started inside a task uses only its own per-call callbacks.
 *
 * <p>A callback that throws fails the compute with what it threw. {@code finish} is called for each callback whose
 * {@code start} returned, and only for those: not when the graph was refused before it started, nor for a callback
 * whose {@code start} threw, nor for those after it (which are not started).
 */
public interface Callback {
  /** Before the first task, after the graph was validated and ordered. */
  default void start(GraphRun run) {}

  /** Before a task is handed to its executor. */
  default void pretask(GraphRun run, String key) {}

  /** After a task finished successfully. */
  default void posttask(GraphRun run, TaskEvent event) {}

  /** After the compute ended; {@code failure} is null on success. */
  default void finish(GraphRun run, Throwable failure) {}
}
