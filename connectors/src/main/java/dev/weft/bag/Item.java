package dev.weft.bag;

import dev.weft.bag.internal.Layer;
import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import java.util.List;

/**
 * One value a {@link Bag} reduces to ({@code count}, {@code sum}, {@code fold}, ...), not computed yet: Dask's
 * {@code dask.bag.Item}.
 *
 * @param <T> the type of the value
 */
public final class Item<T> {
  private final Layer layer;
  private final String key;

  Item(Layer layer, String key) {
    this.layer = layer;
    this.key = key;
  }

  /** The key of the task whose result this is. */
  public String key() {
    return key;
  }

  /** Computes the value with the current configuration (see {@link dev.weft.scheduler.Weft}). */
  public T compute() {
    return compute(ComputeOptions.defaults());
  }

  /** Computes the value with {@code options} over the current configuration. */
  @SuppressWarnings("unchecked")
  public T compute(ComputeOptions options) {
    return (T) Computes.run(layer, List.of(key), options).get(key);
  }

  /** The graph that computes this value, as {@link #compute()} submits it (culled and fused). */
  public Graph toGraph() {
    return Computes.graph(layer, List.of(key), true);
  }

  /** The graph as the bag's operations built it, before culling and fusion. */
  public Graph toGraph(boolean optimized) {
    return Computes.graph(layer, List.of(key), optimized);
  }

  @Override
  public String toString() {
    return "Item[" + key + "]";
  }
}
