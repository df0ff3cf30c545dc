package dev.weft.graph.internal;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionPlanTest {

  /** Keys in static order. */
  private static List<String> order(ExecutionPlan plan) {
    List<String> keys = new ArrayList<>();
    for (int rank = 0; rank < plan.size(); rank++) {
      keys.add(plan.key(plan.taskAtRank(rank)));
    }
    return keys;
  }

  /** Runs the plan in static order, one task at a time, and returns the most results alive at once. */
  private static int peakLiveResults(ExecutionPlan plan) {
    int[] unread = new int[plan.size()];
    for (int t = 0; t < plan.size(); t++) {
      for (int r = plan.referencesStart(t); r < plan.referencesEnd(t); r++) {
        unread[plan.referenceAt(r)]++;
      }
    }
    int live = 0;
    int peak = 0;
    for (int rank = 0; rank < plan.size(); rank++) {
      int task = plan.taskAtRank(rank);
      live++;
      peak = Math.max(peak, live);
      for (int r = plan.referencesStart(task); r < plan.referencesEnd(task); r++) {
        if (--unread[plan.referenceAt(r)] == 0) {
          live--;
        }
      }
    }
    return peak;
  }

  private static Graph tree(int leaves) {
    GraphBuilder graph = Graph.builder();
    List<String> level = new ArrayList<>();
    for (int i = 0; i < leaves; i++) {
      graph.task("leaf-" + i, "inc", (long) i);
      level.add("leaf-" + i);
    }
    int n = 0;
    while (level.size() > 1) {
      List<String> next = new ArrayList<>();
      for (int i = 0; i < level.size(); i += 2) {
        String key = "add-" + n++;
        graph.task(key, "add", ref(level.get(i)), ref(level.get(i + 1)));
        next.add(key);
      }
      level = next;
    }
    return graph.build();
  }

  @Test
  void treeIsFinishedBranchByBranch() {
    ExecutionPlan plan = ExecutionPlan.compile(tree(4), null, null);
    assertEquals(List.of("leaf-0", "leaf-1", "add-0", "leaf-2", "leaf-3", "add-1", "add-2"), order(plan));
  }

  @Test
  void orderKeepsFewResultsAliveOnATree() {
    // 1,024 leaves: in graph order (all leaves first) 1,024 results would be alive at once; branch by branch, ~log2.
    ExecutionPlan plan = ExecutionPlan.compile(tree(1024), null, null);
    assertTrue(peakLiveResults(plan) <= 12, "peak " + peakLiveResults(plan));
  }

  @Test
  void deeperDependencyComesFirst() {
    // total needs a long chain and a leaf: running the chain first keeps only one chain result alive at a time.
    Graph graph = Graph.builder()
        .task("leaf", "inc", 1L)
        .task("c0", "inc", 1L).task("c1", "inc", ref("c0")).task("c2", "inc", ref("c1"))
        .task("total", "add", ref("leaf"), ref("c2"))
        .build();
    assertEquals(List.of("c0", "c1", "c2", "leaf", "total"), order(ExecutionPlan.compile(graph, null, null)));
  }

  @Test
  void orderIsDeterministic() {
    Graph graph = tree(256);
    ExecutionPlan first = ExecutionPlan.compile(graph, null, null);
    ExecutionPlan second = ExecutionPlan.compile(graph, null, null);
    assertEquals(order(first), order(second));
  }

  @Test
  void higherPriorityComesFirstAndTiesKeepTheWalkOrder() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "inc", 2L)
        .task(Task.of("c", "inc", 3L).withPriority(5))
        .task(Task.of("d", "inc", 4L).withPriority(-1))
        .task("e", "inc", 5L)
        .build();
    assertEquals(List.of("c", "a", "b", "e", "d"), order(ExecutionPlan.compile(graph, null, null)));
  }

  @Test
  void longChainsCompileWithoutRecursion() {
    GraphBuilder graph = Graph.builder().task("c0", "inc", 0L);
    for (int i = 1; i < 200_000; i++) {
      graph.task("c" + i, "inc", ref("c" + (i - 1)));
    }
    ExecutionPlan plan = ExecutionPlan.compile(graph.build(), List.of("c199999"), null);
    assertEquals("c0", plan.key(plan.taskAtRank(0)));
    assertEquals("c199999", plan.key(plan.taskAtRank(199_999)));
  }

  @Test
  void repeatedReferencesCountOnceAsDependencies() {
    Graph graph = Graph.builder().task("a", "inc", 1L).task("sq", "mul", ref("a"), ref("a")).build();
    ExecutionPlan plan = ExecutionPlan.compile(graph, null, null);
    int sq = 1;
    assertEquals(1, plan.dependencyCount(sq));
    assertEquals(1, plan.dependentsEnd(0) - plan.dependentsStart(0));
    assertEquals(2, plan.referencesEnd(sq) - plan.referencesStart(sq));
    assertArrayEquals(new Object[] {5L, 5L}, plan.arguments(sq, new Object[] {5L, null}));
  }

  @Test
  void argumentsReplaceReferencesInNestedLists() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "inc", 2L)
        .task("n", "list", "x", List.of(ref("a"), List.of(ref("b"), 3L)), ref("b"))
        .build();
    ExecutionPlan plan = ExecutionPlan.compile(graph, null, null);
    Object[] args = plan.arguments(2, new Object[] {"A", "B", null});
    assertArrayEquals(new Object[] {"x", List.of("A", List.of("B", 3L)), "B"}, args);
  }
}
