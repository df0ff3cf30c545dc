package dev.weft.graph;

import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;

/**
 * The future result of a call made through a {@link DelayedBuilder}, as {@code dask.delayed} returns: pass it to
 * further calls to build the graph, then compute it.
 *
 * @param <T> the type of the result
 */
public final class Delayed<T> {
  private final DelayedBuilder builder;
  private final String key;

  Delayed(DelayedBuilder builder, String key) {
    this.builder = builder;
    this.key = key;
  }

  /** The key of the task that computes this result. */
  public String key() {
    return key;
  }

  boolean builderIs(DelayedBuilder other) {
    return builder == other;
  }

  /** A reference to this result, for the dict-like builder. */
  public Arg.Ref ref() {
    return Arg.ref(key);
  }

  /** The graph that computes this result (with every other call of the builder; computing culls them). */
  public Graph graph() {
    return builder.build(this);
  }

  /** Computes this result with the current configuration. */
  public T compute() {
    return compute(ComputeOptions.defaults());
  }

  /** Computes this result with {@code options} over the current configuration. */
  @SuppressWarnings("unchecked")
  public T compute(ComputeOptions options) {
    return (T) Weft.compute(graph(), options, key).get(key);
  }

  @Override
  public String toString() {
    return "Delayed[" + key + "]";
  }
}
