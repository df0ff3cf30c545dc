package dev.weft.graph.optimize;

import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Rewrites a graph before it is scheduled, as Dask's {@code optimize}: {@linkplain Graph#cull culls} what the requested
 * keys do not need, then fuses linear chains into one task each.
 *
 * <p>A task is fused into the one task that reads its result when that reader is its only one, reads it once and as
 * an argument of its own (not inside a list), is neither requested nor a declared output, and runs in the same pool
 * with the same resources and retries (a step that must not run twice, a write, is never fused with one that may).
 * The fused task takes the highest priority of its steps. A chain {@code read-0 -> map-0 -> pluck-0} becomes one task
 * under the last key ({@code pluck-0}), so what depends on the chain and what is requested from it keep their keys.
 * The fused task calls {@value FusedFunctions#FUSED} with the chain's steps; a step that fails is named, with its own
 * key and function, in the {@link FusedStepException} the task fails with.
 *
 * <p>Fusing saves a scheduling round and, on the processes and broker schedulers, a transfer of every intermediate
 * value; it costs the parallelism of nothing, since a chain's steps could never run at once.
 */
public final class GraphOptimizer {
  private GraphOptimizer() {}

  /** {@code graph} culled to what {@code keys} need, with its linear chains fused. */
  public static Graph optimize(Graph graph, Collection<String> keys) {
    return fuse(graph.cull(keys), keys);
  }

  /**
   * {@code graph} with its linear chains fused; the tasks of {@code keep} stay addressable by their keys.
   *
   * @param keep keys whose values are asked for: never fused into a later step (they may end a chain)
   */
  public static Graph fuse(Graph graph, Collection<String> keep) {
    Set<String> kept = new HashSet<>(keep);
    kept.addAll(graph.declaredOutputs());
    Map<String, Task> tasks = graph.asMap();
    Map<String, Integer> readers = new HashMap<>();
    Map<String, String> onlyReader = new HashMap<>();
    for (Task task : graph.tasks()) {
      task.forEachDependency(key -> {
        readers.merge(key, 1, Integer::sum);
        onlyReader.put(key, task.key());
      });
    }
    // previous.get(b) = a: a is fused into b, as the step before it.
    Map<String, String> previous = new HashMap<>();
    Set<String> fusedForward = new HashSet<>();
    for (Task reader : graph.tasks()) {
      for (Arg arg : reader.args()) {
        if (arg instanceof Arg.Ref ref && fusible(tasks.get(ref.key()), reader, readers, onlyReader, kept)) {
          previous.put(reader.key(), ref.key());
          fusedForward.add(ref.key());
          break; // one chain through each task: a second input stays an input
        }
      }
    }
    if (previous.isEmpty()) {
      return graph;
    }
    List<Task> rewritten = new ArrayList<>(graph.size() - previous.size());
    for (Task task : graph.tasks()) {
      if (fusedForward.contains(task.key())) {
        continue; // it is a step of the task that reads it
      }
      rewritten.add(previous.containsKey(task.key()) ? fusedChainEndingAt(task, tasks, previous) : task);
    }
    return Graph.of(graph.id(), rewritten, graph.declaredOutputs());
  }

  private static boolean fusible(Task input, Task reader, Map<String, Integer> readers,
      Map<String, String> onlyReader, Set<String> kept) {
    return input != null
        && !kept.contains(input.key())
        && readers.get(input.key()) == 1
        && onlyReader.get(input.key()).equals(reader.key())
        && Objects.equals(input.pool(), reader.pool())
        && input.resources().equals(reader.resources())
        && input.retries() == reader.retries();
  }

  private static Task fusedChainEndingAt(Task last, Map<String, Task> tasks, Map<String, String> previous) {
    List<Task> chain = new ArrayList<>();
    for (Task step = last; step != null; step = tasks.get(previous.get(step.key()))) {
      chain.add(0, step);
      if (!previous.containsKey(step.key())) {
        break;
      }
    }
    List<Arg> inputs = new ArrayList<>();
    List<Object> steps = new ArrayList<>(chain.size());
    int priority = Integer.MIN_VALUE;
    for (int i = 0; i < chain.size(); i++) {
      Task step = chain.get(i);
      String fedBy = i == 0 ? null : chain.get(i - 1).key();
      List<Object> bindings = new ArrayList<>(step.args().size());
      boolean fedOnce = false;
      for (Arg arg : step.args()) {
        if (!fedOnce && arg instanceof Arg.Ref ref && ref.key().equals(fedBy)) {
          bindings.add(FusedFunctions.PREVIOUS);
          fedOnce = true;
        } else {
          bindings.add((long) inputs.size());
          inputs.add(arg);
        }
      }
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put(FusedFunctions.STEP_KEY, step.key());
      spec.put(FusedFunctions.STEP_FUNCTION, step.function());
      spec.put(FusedFunctions.STEP_ARGS, bindings);
      steps.add(spec);
      priority = Math.max(priority, step.priority());
    }
    List<Arg> args = new ArrayList<>(inputs.size() + 1);
    args.add(Arg.literal(steps));
    args.addAll(inputs);
    return new Task(last.key(), FusedFunctions.FUSED, args, priority, last.retries(), last.pool(), last.resources());
  }
}
