package dev.weft.broker.client;

import java.util.List;

/**
 * How to submit a graph.
 *
 * @param keys the keys to compute, or null for the graph's outputs
 * @param maxInFlight cap on the graph's tasks in flight, or 0 for the scheduler's
 * @param listener who hears of the graph's progress, or null
 * @param taskEvents whether the scheduler publishes an event for each task (costly; for diagnostics)
 * @param readOutputs whether the client reads the outputs' values; when false, the future completes with an empty map
 *     as soon as the outputs are located ({@link GraphFuture#locations()}), for a caller that reads them itself
 */
public record SubmitOptions(List<String> keys, int maxInFlight, GraphListener listener, boolean taskEvents,
    boolean readOutputs) {
  public static SubmitOptions defaults() {
    return new SubmitOptions(null, 0, null, false, true);
  }

  public SubmitOptions keys(List<String> outputKeys) {
    return new SubmitOptions(outputKeys, maxInFlight, listener, taskEvents, readOutputs);
  }

  public SubmitOptions maxInFlight(int tasks) {
    return new SubmitOptions(keys, tasks, listener, taskEvents, readOutputs);
  }

  public SubmitOptions listener(GraphListener graphListener, boolean perTask) {
    return new SubmitOptions(keys, maxInFlight, graphListener, perTask, readOutputs);
  }

  /** Whether to read the outputs' values (the default), or only to locate them. */
  public SubmitOptions readOutputs(boolean read) {
    return new SubmitOptions(keys, maxInFlight, listener, taskEvents, read);
  }
}
