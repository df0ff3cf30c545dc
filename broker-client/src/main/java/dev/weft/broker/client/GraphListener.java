package dev.weft.broker.client;

import dev.weft.broker.protocol.ResultRef;

/**
 * What a submitter hears of its graph while it runs, on the client's event thread, in the order the scheduler
 * published it. Task-level calls come only when the graph was submitted with task events.
 */
public interface GraphListener {
  /** The scheduler accepted the graph; {@code tasks} will run. */
  default void accepted(int tasks) {}

  /** A task was handed to the workers. */
  default void taskStarted(String key, String function) {}

  /** A task finished; its result is at {@code location}. */
  default void taskDone(String key, String function, ResultRef location, String worker, long durationNanos) {}

  /** {@code done} of {@code total} tasks are finished. */
  default void progress(int done, int total) {}
}
