package dev.weft.local.process;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskExecutor;
import dev.weft.local.internal.TaskRun;

/** Runs tasks on a {@link ProcessPool}'s worker JVMs. */
final class ProcessExecutor implements TaskExecutor {
  /** Enough runs in flight per worker for the pool to keep each worker's queue full when tasks are tiny. */
  private static final int IN_FLIGHT_PER_WORKER = 32;

  private final ProcessPool pool;

  ProcessExecutor(ProcessPool pool) {
    this.pool = pool;
  }

  @Override
  public void execute(TaskRun run, CompletionQueue completions) {
    pool.submit(run, completions);
  }

  @Override
  public CompletionQueue newCompletionQueue() {
    return new PoolCompletionQueue(pool);
  }

  @Override
  public int defaultMaxInFlight() {
    return pool.size() * IN_FLIGHT_PER_WORKER;
  }

  /**
   * Runs not yet sent to a worker never start; a worker still running one after a grace period is stopped and
   * replaced ({@link ProcessPool#stopCancelled}).
   */
  @Override
  public void cancel(Iterable<TaskRun> running) {
    for (TaskRun run : running) {
      run.cancel();
    }
    pool.stopCancelled();
  }
}
