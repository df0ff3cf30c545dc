package dev.weft.broker.client;

import java.util.List;

/**
 * How to submit a graph.
 *
 * @param keys the keys to compute, or null for the graph's outputs
 * @param maxInFlight cap on the graph's tasks in flight, or 0 for the scheduler's
 * @param listener who hears of the graph's progress, or null
 * @param taskEvents whether the scheduler publishes an event for each task (costly; for diagnostics)
 */
public record SubmitOptions(List<String> keys, int maxInFlight, GraphListener listener, boolean taskEvents) {
  public static SubmitOptions defaults() {
    return new SubmitOptions(null, 0, null, false);
  }

  public SubmitOptions keys(List<String> outputKeys) {
    return new SubmitOptions(outputKeys, maxInFlight, listener, taskEvents);
  }

  public SubmitOptions maxInFlight(int tasks) {
    return new SubmitOptions(keys, tasks, listener, taskEvents);
  }

  public SubmitOptions listener(GraphListener graphListener, boolean perTask) {
    return new SubmitOptions(keys, maxInFlight, graphListener, perTask);
  }
}
