package dev.weft.local.internal;

/**
 * Finished runs on their way back to the scheduling loop. Any thread may {@link #put}; only the loop's thread takes.
 */
public interface CompletionQueue {
  void put(TaskRun run);

  /** The next finished run, or null if none is there now. */
  TaskRun poll();

  /** The next finished run, waiting for one. */
  TaskRun take() throws InterruptedException;
}
