package dev.weft.graph;

import dev.weft.function.FunctionCatalog;
import dev.weft.graph.GraphValidationException.Kind;
import dev.weft.graph.GraphValidationException.Problem;
import dev.weft.graph.internal.ExecutionPlan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable task graph: tasks with unique keys, in the order they were added, and the keys the graph computes by
 * default.
 *
 * <p>A graph is only data. {@code Weft.compute(graph)} runs it on a scheduler; {@code GraphCodec} and
 * {@code GraphJson} encode it. Construction checks that keys are unique; references, cycles and function names are
 * checked when a scheduler compiles the graph (or by {@code GraphValidator}), since they depend on the keys asked for
 * and on the functions loaded where it runs.
 */
public final class Graph {
  private static final Graph EMPTY = new Graph(null, List.of(), List.of());

  private final String id;
  private final List<Task> tasks;
  private final KeyIndex positions;
  private final List<String> outputs;

  private Graph(String id, List<Task> tasks, List<String> outputs) {
    this.id = id;
    this.tasks = List.copyOf(tasks);
    this.outputs = List.copyOf(outputs);
    this.positions = indexKeys(this.tasks);
  }

  /** A graph of {@code tasks}; its default outputs are the tasks nothing depends on. */
  public static Graph of(Collection<Task> tasks) {
    return new Graph(null, new ArrayList<>(tasks), List.of());
  }

  public static Graph of(String id, List<Task> tasks, List<String> outputs) {
    return new Graph(id, tasks, outputs);
  }

  public static Graph empty() {
    return EMPTY;
  }

  public static GraphBuilder builder() {
    return new GraphBuilder();
  }

  private static KeyIndex indexKeys(List<Task> tasks) {
    List<Problem> duplicates = new ArrayList<>();
    KeyIndex positions = new KeyIndex(tasks, (key, earlier, later) -> duplicates.add(new Problem(Kind.DUPLICATE_KEY,
        List.of(key), "duplicate key '" + key + "': tasks " + earlier + " and " + later + " both use it")));
    if (!duplicates.isEmpty()) {
      throw new GraphValidationException(duplicates);
    }
    return positions;
  }

  /** An id given by the submitter, or null. */
  public String id() {
    return id;
  }

  public List<Task> tasks() {
    return tasks;
  }

  public int size() {
    return tasks.size();
  }

  public boolean isEmpty() {
    return tasks.isEmpty();
  }

  public boolean contains(String key) {
    return positions.positionOf(key) >= 0;
  }

  /** The task with {@code key}, or null. */
  public Task task(String key) {
    int position = positions.positionOf(key);
    return position < 0 ? null : tasks.get(position);
  }

  /** The position of {@code key} in {@link #tasks()}, or -1. */
  public int positionOf(String key) {
    return positions.positionOf(key);
  }

  /** The keys named as outputs when the graph was built; may be empty. */
  public List<String> declaredOutputs() {
    return outputs;
  }

  /**
   * The keys a compute without explicit keys returns: the declared outputs, or else every task that no other task
   * references, in task order.
   */
  public List<String> outputs() {
    if (!outputs.isEmpty()) {
      return outputs;
    }
    boolean[] referenced = new boolean[tasks.size()];
    for (Task task : tasks) {
      task.forEachDependency(key -> {
        int position = positions.positionOf(key);
        if (position >= 0) {
          referenced[position] = true;
        }
      });
    }
    List<String> sinks = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      if (!referenced[i]) {
        sinks.add(tasks.get(i).key());
      }
    }
    return sinks;
  }

  public Graph withOutputs(List<String> keys) {
    return new Graph(id, tasks, keys);
  }

  public Graph withId(String newId) {
    return new Graph(newId, tasks, outputs);
  }

  /**
   * The tasks that {@code keys} need, and nothing else (Dask's cull). References to missing keys are kept as they are,
   * so that validation of the smaller graph still reports them.
   *
   * @throws GraphValidationException if a key in {@code keys} is not in this graph
   */
  public Graph cull(Collection<String> keys) {
    boolean[] needed = new boolean[tasks.size()];
    ArrayDeque<Integer> pending = new ArrayDeque<>();
    List<Problem> unknown = new ArrayList<>();
    for (String key : keys) {
      int position = positions.positionOf(key);
      if (position < 0) {
        unknown.add(unknownOutput(key));
      } else if (!needed[position]) {
        needed[position] = true;
        pending.add(position);
      }
    }
    if (!unknown.isEmpty()) {
      throw new GraphValidationException(unknown);
    }
    while (!pending.isEmpty()) {
      tasks.get(pending.poll()).forEachDependency(key -> {
        int position = positions.positionOf(key);
        if (position >= 0 && !needed[position]) {
          needed[position] = true;
          pending.add(position);
        }
      });
    }
    List<Task> kept = new ArrayList<>();
    for (int i = 0; i < needed.length; i++) {
      if (needed[i]) {
        kept.add(tasks.get(i));
      }
    }
    return new Graph(id, kept, List.copyOf(keys));
  }

  static Problem unknownOutput(String key) {
    return new Problem(Kind.UNKNOWN_OUTPUT, List.of(key), "requested key '" + key + "' is not in the graph");
  }

  /**
   * Checks the whole graph: every reference names a task, no tasks depend on each other in a circle, and (when
   * {@code functions} is not null) every function is known.
   *
   * @throws GraphValidationException naming every problem found
   */
  public void validate(FunctionCatalog functions) {
    ExecutionPlan.compile(this, null, functions);
  }

  /** The tasks by key, in task order. */
  public Map<String, Task> asMap() {
    Map<String, Task> map = new LinkedHashMap<>();
    for (Task task : tasks) {
      map.put(task.key(), task);
    }
    return map;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Graph
        && Objects.equals(id, ((Graph) other).id)
        && tasks.equals(((Graph) other).tasks)
        && outputs.equals(((Graph) other).outputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, tasks, outputs);
  }

  @Override
  public String toString() {
    return "Graph[" + (id == null ? "" : id + ", ") + tasks.size() + " tasks, outputs=" + outputs + "]";
  }
}
