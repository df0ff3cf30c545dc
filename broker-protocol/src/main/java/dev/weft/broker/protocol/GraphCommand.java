package dev.weft.broker.protocol;

import dev.weft.graph.Graph;
import java.util.List;
import java.util.Map;

/** A record of the graphs topic, keyed by graph id: a graph to run, or a request to cancel one. */
public sealed interface GraphCommand permits GraphCommand.Submit, GraphCommand.Cancel {
  String graphId();

  /**
   * Run {@code graph}.
   *
   * @param keys the keys to compute, or null for the graph's outputs
   * @param inputs results of earlier graphs that tasks of this one reference by key
   * @param maxInFlight cap on this graph's tasks in flight; 0 for the scheduler's default
   * @param taskEvents whether to publish an event per task started and finished (for callbacks)
   * @param client who submitted it, for logs
   */
  record Submit(String graphId, Graph graph, List<String> keys, Map<String, ResultRef> inputs, int maxInFlight,
      boolean taskEvents, String client) implements GraphCommand {
    public Submit {
      keys = keys == null ? null : List.copyOf(keys);
      inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
    }
  }

  /** Stop emitting the graph's tasks; the graph ends as cancelled. */
  record Cancel(String graphId, String reason) implements GraphCommand {}
}
