package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The graphs a scheduler runs, by id, with the two ways one leaves: it ends here (its ending is published) or its
 * partition goes to another scheduler (it is forgotten quietly; the successor rebuilds it). Either way it leaves the
 * emitter's round and what it had in flight stops counting against its pools. Loop thread only.
 */
public final class RunningGraphs {
  private final Map<String, GraphState> graphs = new HashMap<>();
  private final TaskEmitter emitter;
  private final EventPublisher events;

  public RunningGraphs(TaskEmitter emitter, EventPublisher events) {
    this.emitter = emitter;
    this.events = events;
  }

  public GraphState get(String graphId) {
    return graphs.get(graphId);
  }

  public boolean contains(String graphId) {
    return graphs.containsKey(graphId);
  }

  public int size() {
    return graphs.size();
  }

  public Collection<GraphState> all() {
    return Collections.unmodifiableCollection(graphs.values());
  }

  /** Starts running a graph: its ready tasks join the emitter's round. */
  public void add(GraphState graph) {
    graphs.put(graph.graphId(), graph);
    emitter.add(graph);
  }

  /**
   * Ends a graph here with {@code event}: nothing more of it is sent, and its ending is published, with the graph's
   * last progress by function.
   */
  public void end(GraphState graph, GraphEvent event) {
    forget(graph);
    graph.setPaused(true);
    events.publishEnding(graph.partition(), graph.submitOffset(), graph.resultsStart(),
        event.withFunctions(graph.functionProgress()));
  }

  /** Ends a graph all of whose outputs are there. */
  public void complete(GraphState graph) {
    end(graph, GraphEvent.completed(graph.graphId(), graph.outputLocations(), graph.done(), graph.size()));
  }

  /** Forgets a graph that could not be scheduled after it was added; its caller says how it ended. */
  public void forget(GraphState graph) {
    graphs.remove(graph.graphId());
    emitter.remove(graph);
  }

  /** Forgets the graphs of a partition handed to another scheduler, which rebuilds them. */
  public void dropPartition(int partition) {
    for (GraphState graph : new ArrayList<>(graphs.values())) {
      if (graph.partition() == partition) {
        forget(graph);
      }
    }
  }

  /** Lets the graphs of a partition rebuilt here run on; returns how many there are. */
  public int resumePartition(int partition) {
    int resumed = 0;
    for (GraphState graph : graphs.values()) {
      if (graph.partition() == partition) {
        graph.setPaused(false);
        resumed++;
      }
    }
    return resumed;
  }

  /** The offset of the oldest graph command of {@code partition} still running here, or {@code upTo}. */
  public long oldestCommand(int partition, long upTo) {
    return oldest(partition, upTo, GraphState::submitOffset);
  }

  /** Where the results of the oldest graph of {@code partition} still running here can start, or {@code upTo}. */
  public long oldestResults(int partition, long upTo) {
    return oldest(partition, upTo, GraphState::resultsStart);
  }

  private long oldest(int partition, long upTo, ToLongFunction<GraphState> offset) {
    long oldest = upTo;
    for (GraphState graph : graphs.values()) {
      if (graph.partition() == partition) {
        oldest = Math.min(oldest, offset.applyAsLong(graph));
      }
    }
    return oldest;
  }
}
