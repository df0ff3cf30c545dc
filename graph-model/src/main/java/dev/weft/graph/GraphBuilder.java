package dev.weft.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Graph} the way a Dask graph is written as a dict:
 *
 * <pre>{@code
 * Graph graph = Graph.builder()
 *     .task("a", "inc", 1)
 *     .task("b", "add", ref("a"), 10)
 *     .task("total", "sum", List.of(ref("a"), ref("b"), 100))
 *     .build();
 * }</pre>
 *
 * <p>Arguments are converted by {@link Arg#of(Object)}: {@link Arg#ref(String)} names another task's result, a list
 * that holds a reference becomes a list argument, and anything else is a literal value.
 */
public final class GraphBuilder {
  private final List<Task> tasks = new ArrayList<>();
  private final List<String> outputs = new ArrayList<>();
  private String id;

  GraphBuilder() {}

  public GraphBuilder task(String key, String function, Object... args) {
    return task(Task.of(key, function, args));
  }

  public GraphBuilder task(Task task) {
    tasks.add(task);
    return this;
  }

  public GraphBuilder tasks(Iterable<Task> more) {
    for (Task task : more) {
      tasks.add(task);
    }
    return this;
  }

  /** Declares the keys that a compute without explicit keys returns. */
  public GraphBuilder outputs(String... keys) {
    outputs.addAll(List.of(keys));
    return this;
  }

  public GraphBuilder id(String graphId) {
    this.id = graphId;
    return this;
  }

  /**
   * Returns the graph.
   *
   * @throws GraphValidationException if two tasks have the same key
   */
  public Graph build() {
    return Graph.of(id, tasks, outputs);
  }
}
