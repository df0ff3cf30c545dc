package dev.weft.local.process;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskExecutor;
import dev.weft.local.internal.TaskRun;

/** Runs tasks on a {@link ProcessPool}'s worker JVMs. */
final class ProcessExecutor implements TaskExecutor {
  /** Enough runs in flight per worker for the pool to keep each worker's queue full when tasks are tiny. */
  private static final int IN_FLIGHT_PER_WORKER = 32;

  private final ProcessPool pool;
  private final long keepBytes;

  ProcessExecutor(ProcessPool pool) {
    this(pool, ProcessPoolOptions.KEEP_BYTES.defaultValue());
  }

  /** @param keepBytes results encoded over this many bytes stay in their worker; negative: none does */
  ProcessExecutor(ProcessPool pool, long keepBytes) {
    this.pool = pool;
    this.keepBytes = keepBytes < 0 ? WorkerProtocol.KEEP_NOTHING : keepBytes;
  }

  /** A result the compute needs itself (an output, or one its callbacks see) always comes back. */
  @Override
  public void execute(TaskRun run, CompletionQueue completions) {
    pool.submit(run, completions, run.valueNeededHere ? WorkerProtocol.KEEP_NOTHING : keepBytes);
  }

  @Override
  public boolean keepsValuesElsewhere() {
    return keepBytes != WorkerProtocol.KEEP_NOTHING;
  }

  @Override
  public void release(Object value) {
    if (value instanceof HeldValue held) {
      pool.release(held);
    }
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
