package dev.weft.bag;

import dev.weft.connectors.files.FileFunctions;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.graph.optimize.FusedFunctions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces fused chains that a kernel computes in one pass by that kernel, after {@link
 * dev.weft.graph.optimize.GraphOptimizer} fused them: a plan rewrite, as a database's optimizer chooses an operator.
 * The kernel gives the same answer as the chain (the bag suite checks both ways on every scheduler); only the
 * per-item work goes.
 *
 * <p>One kernel so far, the word count: {@code read-text -> flat-map(split-words) -> frequencies} of a block becomes
 * {@value FileFunctions#WORD_FREQUENCIES}, which counts words from the read buffer's bytes, making a string per
 * distinct word instead of per word.
 */
final class Kernels {
  private Kernels() {}

  static Graph apply(Graph graph) {
    List<Task> tasks = null;
    for (int i = 0; i < graph.size(); i++) {
      Task task = graph.tasks().get(i);
      Task kernel = wordCount(task);
      if (kernel != null) {
        if (tasks == null) {
          tasks = new ArrayList<>(graph.tasks());
        }
        tasks.set(i, kernel);
      }
    }
    return tasks == null ? graph : Graph.of(graph.id(), tasks, graph.declaredOutputs());
  }

  /**
   * The task with the kernel in place of its first three steps, if they are a block's word count (read, split into
   * words, count); null otherwise. Steps after them (a reduction of one partition) stay.
   */
  private static Task wordCount(Task task) {
    if (!task.function().equals(FusedFunctions.FUSED)) {
      return null;
    }
    List<FusedFunctions.Step> steps = FusedFunctions.steps(task);
    if (steps.size() < 3 || !steps.get(0).function().equals(FileFunctions.READ_TEXT)
        || !steps.get(1).function().equals(BagFunctions.FLAT_MAP)
        || !steps.get(2).function().equals(BagFunctions.FREQUENCIES)) {
      return null;
    }
    List<Long> read = steps.get(0).bindings();
    List<Long> split = steps.get(1).bindings();
    if (read.size() != 3 || split.size() != 3 || split.get(2) != FusedFunctions.PREVIOUS
        || !steps.get(2).bindings().equals(List.of(FusedFunctions.PREVIOUS))
        || !literal(task, split.get(0)).equals(ItemFunctions.SPLIT_WORDS.name())
        || !literal(task, split.get(1)).equals(List.of())) {
      return null;
    }
    List<Arg> block = new ArrayList<>(3);
    for (long input : read) {
      block.add(task.args().get(1 + (int) input));
    }
    if (steps.size() == 3) {
      return new Task(task.key(), FileFunctions.WORD_FREQUENCIES, block, task.priority(), task.retries(),
          task.pool(), task.resources());
    }
    List<Object> spec = new ArrayList<>(steps.size() - 2);
    spec.add(step(steps.get(2).key(), FileFunctions.WORD_FREQUENCIES, read));
    for (FusedFunctions.Step step : steps.subList(3, steps.size())) {
      spec.add(step(step.key(), step.function(), step.bindings()));
    }
    List<Arg> args = new ArrayList<>(task.args());
    args.set(0, Arg.literal(spec));
    return new Task(task.key(), FusedFunctions.FUSED, args, task.priority(), task.retries(), task.pool(),
        task.resources());
  }

  private static Map<String, Object> step(String key, String function, List<Long> bindings) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put(FusedFunctions.STEP_KEY, key);
    step.put(FusedFunctions.STEP_FUNCTION, function);
    step.put(FusedFunctions.STEP_ARGS, new ArrayList<Object>(bindings));
    return step;
  }

  /** The literal value of the fused task's input {@code index}, or a marker that equals nothing for a reference. */
  private static Object literal(Task task, long index) {
    Arg arg = task.args().get(1 + (int) index);
    return arg instanceof Arg.Literal literal && literal.value() != null ? literal.value() : new Object();
  }
}
