package dev.weft.broker.protocol;

/**
 * A record of the results topic: what one attempt of a task returned or threw, and the tasks-topic partition it was
 * read from ({@code -1} if unknown): its worker holds the value in memory.
 *
 * <p>Readers that only need to know who finished (the scheduler) decode it without its value: then
 * {@link #valueLoaded()} is false and {@link #value()} null even on success.
 */
public record TaskResult(String graphId, String taskKey, int attempt, String worker, long durationNanos,
    int taskPartition, boolean succeeded, Object value, boolean valueLoaded, TaskError error) {

  public static TaskResult success(String graphId, String taskKey, int attempt, String worker, long durationNanos,
      Object value) {
    return new TaskResult(graphId, taskKey, attempt, worker, durationNanos, -1, true, value, true, null);
  }

  public static TaskResult failure(String graphId, String taskKey, int attempt, String worker, long durationNanos,
      TaskError error) {
    return new TaskResult(graphId, taskKey, attempt, worker, durationNanos, -1, false, null, false, error);
  }

  /** This result, read from partition {@code partition} of its tasks topic. */
  public TaskResult withTaskPartition(int partition) {
    return new TaskResult(graphId, taskKey, attempt, worker, durationNanos, partition, succeeded, value, valueLoaded,
        error);
  }
}
