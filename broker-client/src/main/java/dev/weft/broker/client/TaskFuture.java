package dev.weft.broker.client;

import dev.weft.broker.protocol.ResultRef;
import java.util.concurrent.CompletableFuture;

/**
 * The result of one function call submitted with {@link WeftClient#submit(String, Object...)}, as Dask's
 * {@code Client.submit} returns. Pass it as an argument of further calls: the value stays in Kafka, and the next task
 * reads it by location.
 *
 * @param <T> the result's type
 */
public final class TaskFuture<T> extends CompletableFuture<T> {
  private volatile GraphFuture graph;
  private volatile ResultRef location;
  private final CompletableFuture<ResultRef> locationFuture = new CompletableFuture<>();

  void bind(GraphFuture submitted) {
    this.graph = submitted;
  }

  void located(ResultRef ref) {
    this.location = ref;
    locationFuture.complete(ref);
  }

  /** Where the result is, as soon as it is written (before its value is read back), or its failure. */
  CompletableFuture<ResultRef> locationFuture() {
    return locationFuture;
  }

  @Override
  public boolean completeExceptionally(Throwable failure) {
    locationFuture.completeExceptionally(failure);
    return super.completeExceptionally(failure);
  }

  /** Where the result is, once computed; null before. */
  public ResultRef location() {
    return location;
  }

  /** The one-task graph that computes it, once submitted (it waits for its inputs first). */
  public GraphFuture graph() {
    return graph;
  }

  /** Cancels the task's graph if it was submitted; if not, it never will be. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    locationFuture.cancel(mayInterruptIfRunning);
    GraphFuture submitted = graph;
    if (submitted != null) {
      submitted.cancel(mayInterruptIfRunning);
    }
    return cancelled;
  }
}
