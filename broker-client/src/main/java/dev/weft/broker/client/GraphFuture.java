package dev.weft.broker.client;

import dev.weft.broker.protocol.ResultRef;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The outputs of a submitted graph, by key, once it completes. It completes exceptionally with a
 * {@link dev.weft.scheduler.TaskFailedException} (a task failed), a {@link dev.weft.graph.GraphValidationException}
 * (the scheduler rejected the graph) or a {@link java.util.concurrent.CancellationException}. Cancelling the future
 * cancels the graph: the scheduler stops emitting its tasks and workers skip those already emitted.
 */
public final class GraphFuture extends CompletableFuture<Map<String, Object>> {
  private final WeftClient client;
  private final String graphId;
  private final List<String> keys;
  private volatile int done;
  private volatile int total = -1;
  private volatile Map<String, ResultRef> locations;
  private final CompletableFuture<Map<String, ResultRef>> located = new CompletableFuture<>();
  /** The partition of the graphs topic the submission went to: its cancellation must go there too. */
  private final CompletableFuture<Integer> partition = new CompletableFuture<>();

  GraphFuture(WeftClient client, String graphId, List<String> keys) {
    this.client = client;
    this.graphId = graphId;
    this.keys = keys;
  }

  public String graphId() {
    return graphId;
  }

  /** The keys asked for, or null for the graph's outputs. */
  public List<String> keys() {
    return keys;
  }

  /** Tasks finished so far. */
  public int done() {
    return done;
  }

  /** Tasks the graph runs, or -1 until the scheduler accepted it. */
  public int total() {
    return total;
  }

  /** Where each output is in the results topic, once the graph completed; null before. */
  public Map<String, ResultRef> locations() {
    return locations;
  }

  void progress(int finished, int tasks) {
    done = finished;
    total = tasks;
  }

  void submittedTo(int graphsPartition) {
    partition.complete(graphsPartition);
  }

  /** Where the submission went, once Kafka took it. */
  CompletableFuture<Integer> partitionFuture() {
    return partition;
  }

  void located(Map<String, ResultRef> outputs) {
    locations = outputs;
    located.complete(outputs);
  }

  /** Where the outputs are, as soon as the graph completed (before their values are read), or its failure. */
  public CompletableFuture<Map<String, ResultRef>> locationsFuture() {
    return located;
  }

  @Override
  public boolean completeExceptionally(Throwable failure) {
    located.completeExceptionally(failure);
    return super.completeExceptionally(failure);
  }

  /** Cancels the graph on the scheduler, then this future. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    client.cancel(this, "cancelled by the client");
    located.cancel(mayInterruptIfRunning);
    return super.cancel(mayInterruptIfRunning);
  }

  @Override
  public String toString() {
    return "GraphFuture[" + graphId + ", " + (isDone() ? "done" : done + "/" + total) + "]";
  }
}
