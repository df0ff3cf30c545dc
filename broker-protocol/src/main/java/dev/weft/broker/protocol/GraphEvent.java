package dev.weft.broker.protocol;

import dev.weft.graph.GraphValidationException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A record of the events topic: what happened to a graph. The scheduler that owns the graph writes them, in order, to
 * the graph's partition.
 */
public record GraphEvent(String graphId, Type type, String taskKey, String function, String message, int done,
    int total, Map<String, ResultRef> locations, TaskError error, String worker, long durationNanos,
    List<GraphValidationException.Problem> problems) {

  /** What happened. A graph ends with exactly one of REJECTED, COMPLETED, FAILED or CANCELLED. */
  public enum Type {
    /** The graph is valid and its tasks are being scheduled. */
    ACCEPTED,
    /** The graph cannot run; the message names the problems. Final. */
    REJECTED,
    /** How many of the graph's tasks are done. */
    PROGRESS,
    /** A task was handed to the workers (only when the submitter asked for task events). */
    TASK_STARTED,
    /** A task finished; {@code locations} holds where its result is (only when asked for). */
    TASK_DONE,
    /** Every requested key has a result; {@code locations} says where each is. Final. */
    COMPLETED,
    /** A task failed after its retries; {@code taskKey}, {@code function} and {@code error} say which and why. Final. */
    FAILED,
    /** The graph was cancelled before it finished. Final. */
    CANCELLED;

    public boolean isFinal() {
      return this == REJECTED || this == COMPLETED || this == FAILED || this == CANCELLED;
    }
  }

  public GraphEvent {
    locations = Collections.unmodifiableMap(new LinkedHashMap<>(locations));
    problems = List.copyOf(problems);
  }

  public static GraphEvent of(String graphId, Type type) {
    return new GraphEvent(graphId, type, null, null, null, 0, 0, Map.of(), null, null, 0, List.of());
  }
}
