package dev.weft.bag;

import dev.weft.connectors.files.FileFunctions;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.graph.optimize.FusedFunctions;
import java.util.ArrayList;
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

  /** The kernel for a fused task that is exactly a block's word count, or null. */
  private static Task wordCount(Task task) {
    if (!task.function().equals(FusedFunctions.FUSED) || !(task.args().get(0) instanceof Arg.Literal spec)
        || !(spec.value() instanceof List<?> steps) || steps.size() != 3) {
      return null;
    }
    List<Long> read = bindings(steps.get(0), FileFunctions.READ_TEXT);
    List<Long> split = bindings(steps.get(1), BagFunctions.FLAT_MAP);
    List<Long> count = bindings(steps.get(2), BagFunctions.FREQUENCIES);
    if (read == null || split == null || count == null || read.size() != 3 || read.contains(FusedFunctions.PREVIOUS)
        || !split.equals(List.of(split.get(0), split.get(1), FusedFunctions.PREVIOUS)) || split.get(0) < 0
        || !count.equals(List.of(FusedFunctions.PREVIOUS))
        || !literal(task, split.get(0)).equals(ItemFunctions.SPLIT_WORDS.name()) || !literal(task, split.get(1)).equals(List.of())) {
      return null;
    }
    List<Arg> args = List.of(task.args().get(1 + read.get(0).intValue()), task.args().get(1 + read.get(1).intValue()),
        task.args().get(1 + read.get(2).intValue()));
    return new Task(task.key(), FileFunctions.WORD_FREQUENCIES, args, task.priority(), task.retries(), task.pool(),
        task.resources());
  }

  /** The bindings of a step of {@code function}, or null for a step of another. */
  private static List<Long> bindings(Object step, String function) {
    if (!(step instanceof Map<?, ?> map) || !function.equals(map.get(FusedFunctions.STEP_FUNCTION))
        || !(map.get(FusedFunctions.STEP_ARGS) instanceof List<?> bindings)) {
      return null;
    }
    List<Long> indexes = new ArrayList<>(bindings.size());
    for (Object binding : bindings) {
      indexes.add(((Number) binding).longValue());
    }
    return indexes;
  }

  /** The literal value of the fused task's input {@code index}, or a marker that equals nothing for a reference. */
  private static Object literal(Task task, long index) {
    Arg arg = task.args().get(1 + (int) index);
    return arg instanceof Arg.Literal literal && literal.value() != null ? literal.value() : new Object();
  }
}
