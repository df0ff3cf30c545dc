package dev.weft.bag.internal;

import dev.weft.function.TaskFunction;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tasks one collection operation added, over the layers it reads (Dask's high-level graph): a collection holds
 * its last layer, so that an operation costs its own tasks, never a copy of the graph before it.
 *
 * <p>Also holds the lambdas of the operation, registered under generated names for the computes that run in this JVM.
 */
public final class Layer {
  private final List<Layer> inputs;
  private final List<Task> tasks;
  private final Map<String, TaskFunction> lambdas;

  private Layer(List<Layer> inputs, List<Task> tasks, Map<String, TaskFunction> lambdas) {
    this.inputs = List.copyOf(inputs);
    this.tasks = List.copyOf(tasks);
    this.lambdas = Map.copyOf(lambdas);
  }

  public static Layer of(List<Layer> inputs, List<Task> tasks, Map<String, TaskFunction> lambdas) {
    return new Layer(inputs, tasks, lambdas);
  }

  /** The graph of this layer and every layer under it, with {@code outputs} as its outputs. */
  public Graph graph(List<String> outputs) {
    List<Task> all = new ArrayList<>();
    for (Layer layer : inOrder()) {
      all.addAll(layer.tasks);
    }
    return Graph.of(null, all, outputs);
  }

  /** The lambdas of this layer and every layer under it, by the names their tasks call them. */
  public Map<String, TaskFunction> lambdas() {
    Map<String, TaskFunction> all = new LinkedHashMap<>();
    for (Layer layer : inOrder()) {
      all.putAll(layer.lambdas);
    }
    return all;
  }

  /** Each layer once, inputs before the layers that read them. */
  private List<Layer> inOrder() {
    List<Layer> order = new ArrayList<>();
    Set<Layer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    // Iterative post-order: a long pipeline of operations must not overflow the stack.
    List<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {this, 0});
    seen.add(this);
    while (!stack.isEmpty()) {
      Object[] top = stack.get(stack.size() - 1);
      Layer layer = (Layer) top[0];
      int next = (Integer) top[1];
      if (next < layer.inputs.size()) {
        top[1] = next + 1;
        Layer input = layer.inputs.get(next);
        if (seen.add(input)) {
          stack.add(new Object[] {input, 0});
        }
      } else {
        stack.remove(stack.size() - 1);
        order.add(layer);
      }
    }
    return order;
  }
}
