package dev.weft.broker.protocol;

/**
 * A record of the results topic: what one attempt of a task returned or threw.
 *
 * <p>Readers that only need to know who finished (the scheduler) decode it without its value: then
 * {@link #valueLoaded()} is false and {@link #value()} null even on success.
 */
public record TaskResult(String graphId, String taskKey, int attempt, String worker, long durationNanos,
    boolean succeeded, Object value, boolean valueLoaded, TaskError error) {

  public static TaskResult success(String graphId, String taskKey, int attempt, String worker, long durationNanos,
      Object value) {
    return new TaskResult(graphId, taskKey, attempt, worker, durationNanos, true, value, true, null);
  }

  public static TaskResult failure(String graphId, String taskKey, int attempt, String worker, long durationNanos,
      TaskError error) {
    return new TaskResult(graphId, taskKey, attempt, worker, durationNanos, false, null, false, error);
  }
}
