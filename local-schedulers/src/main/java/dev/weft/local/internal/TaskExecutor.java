package dev.weft.local.internal;

/**
 * How a local scheduler runs one task: the only part in which sync, threads and processes differ. The scheduling loop
 * owns everything else (readiness, order, results, failure).
 */
public interface TaskExecutor {
  /**
   * Starts {@code run}. When it has finished, successfully or not, the executor records the outcome on the run and
   * puts it on {@code completions}, exactly once, from whatever thread it likes. An executor that cannot start a run
   * records that as the run's failure; it never throws and never drops a run.
   */
  void execute(TaskRun run, CompletionQueue completions);

  /** A queue suited to the threads this executor completes runs on. */
  CompletionQueue newCompletionQueue();

  /** How many runs the loop keeps in flight by default. */
  int defaultMaxInFlight();

  /**
   * Stops runs in flight as well as it can, after the compute failed: their results are not needed. Runs it cannot
   * stop finish on their own and their completions are ignored.
   */
  default void cancel(Iterable<TaskRun> running) {}

  /**
   * Whether results may stand for values kept where the task ran (a worker JVM), which the executor must be told to
   * {@link #release}; the loop then releases every result it still holds when the compute ends, however it ends.
   */
  default boolean keepsValuesElsewhere() {
    return false;
  }

  /** The loop no longer needs {@code result}: no task that reads it is left to run, or the compute is over. */
  default void release(Object result) {}
}
