package dev.weft.local;

import dev.weft.local.internal.InlineExecutor;
import dev.weft.scheduler.ComputeOptions;

/**
 * Runs every task in the calling thread, one at a time, in the static order: for debugging and profiling (a
 * breakpoint in a task stops the caller; a profiler sees the task's frames under the compute's), and for unit tests.
 * The exception a task throws is the {@link dev.weft.scheduler.TaskFailedException}'s cause, as thrown.
 */
public final class SyncScheduler extends LocalScheduler {
  public static final String NAME = "sync";

  public SyncScheduler() {
    super(NAME);
  }

  @Override
  public boolean runsTasksInThisJvm() {
    return true;
  }

  @Override
  protected ExecutorLease executorFor(ComputeOptions options) {
    return ExecutorLease.of(InlineExecutor.INSTANCE);
  }
}
