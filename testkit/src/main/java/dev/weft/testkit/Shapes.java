package dev.weft.testkit;

import static dev.weft.graph.Arg.ref;

import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import java.util.ArrayList;
import java.util.List;

/** The graph shapes that tests and benchmarks share, with the values they compute. */
public final class Shapes {
  private Shapes() {}

  /** {@code n} independent {@code inc(i)} tasks and one {@code sum} of them all; output "sum" = n(n+1)/2. */
  public static Graph wide(int n) {
    GraphBuilder graph = Graph.builder();
    List<Arg> incs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      graph.task("inc-" + i, "inc", (long) i);
      incs.add(ref("inc-" + i));
    }
    return graph.task("sum", "sum", incs).outputs("sum").build();
  }

  public static long wideResult(int n) {
    return (long) n * (n + 1) / 2;
  }

  /** {@code n} tasks, each {@code inc} of the one before, from 0; output "chain-(n-1)" = n. */
  public static Graph chain(int n) {
    GraphBuilder graph = Graph.builder().task("chain-0", "inc", 0L);
    for (int i = 1; i < n; i++) {
      graph.task("chain-" + i, "inc", ref("chain-" + (i - 1)));
    }
    return graph.outputs("chain-" + (n - 1)).build();
  }

  /**
   * A binary sum over {@code leaves} leaves ({@code inc(i)}), a power of two; output "tree" = leaves(leaves+1)/2.
   * It has {@code 2 * leaves - 1} tasks.
   */
  public static Graph tree(int leaves) {
    if (Integer.bitCount(leaves) != 1) {
      throw new IllegalArgumentException("leaves must be a power of two, was " + leaves);
    }
    GraphBuilder graph = Graph.builder();
    List<String> level = new ArrayList<>(leaves);
    for (int i = 0; i < leaves; i++) {
      graph.task("leaf-" + i, "inc", (long) i);
      level.add("leaf-" + i);
    }
    int depth = 0;
    while (level.size() > 1) {
      depth++;
      List<String> next = new ArrayList<>(level.size() / 2);
      for (int i = 0; i < level.size(); i += 2) {
        String key = level.size() == 2 ? "tree" : "add-" + depth + "-" + i / 2;
        graph.task(key, "add", ref(level.get(i)), ref(level.get(i + 1)));
        next.add(key);
      }
      level = next;
    }
    return graph.outputs("tree").build();
  }

  /**
   * {@code producers} tasks each making {@code bytes} zero bytes, each read by {@code readers} tasks computing its
   * length, then a sum of all lengths: output "total" = producers * readers * bytes.
   */
  public static Graph fanoutLarge(int producers, int readers, int bytes) {
    GraphBuilder graph = Graph.builder();
    List<Arg> lengths = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      graph.task("blob-" + p, "bytes", (long) bytes);
      for (int r = 0; r < readers; r++) {
        graph.task("length-" + p + "-" + r, "length", ref("blob-" + p));
        lengths.add(ref("length-" + p + "-" + r));
      }
    }
    return graph.task("total", "sum", lengths).outputs("total").build();
  }
}
