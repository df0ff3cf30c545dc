package dev.weft.graph;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.graph.GraphValidationException.Kind;
import dev.weft.graph.GraphValidationException.Problem;
import dev.weft.graph.internal.ExecutionPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphValidationTest {
  private final FunctionRegistry registry = FunctionRegistry.global();

  @Test
  void duplicateKeysAreNamed() {
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> Graph.builder()
        .task("a", "inc", 1L).task("b", "inc", 2L).task("a", "inc", 3L).build());
    assertEquals("invalid graph: duplicate key 'a': tasks 0 and 2 both use it", e.getMessage());
    assertEquals(List.of(new Problem(Kind.DUPLICATE_KEY, List.of("a"), e.problems().get(0).message())),
        e.problems());
  }

  @Test
  void missingDependencyNamesTheTaskAndTheKey() {
    Graph graph = Graph.builder().task("a", "inc", 1L).task("b", "add", ref("a"), ref("x")).build();
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> graph.validate(registry));
    assertEquals("invalid graph: task 'b' references missing key 'x'", e.getMessage());
    assertEquals(List.of("x", "b"), e.problems().get(0).keys());
  }

  @Test
  void missingDependencyOfSeveralTasksListsThem() {
    Graph graph = Graph.builder().task("b", "inc", ref("x")).task("c", "sum", List.of(ref("x"), ref("x"))).build();
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> graph.validate(registry));
    assertEquals("invalid graph: tasks 'b', 'c' reference missing key 'x'", e.getMessage());
  }

  @Test
  void cycleIsNamedInDependencyOrder() {
    Graph graph = Graph.builder()
        .task("a", "inc", ref("c"))
        .task("b", "inc", ref("a"))
        .task("c", "inc", ref("b"))
        .task("d", "inc", ref("c"))
        .build();
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> graph.validate(registry));
    assertEquals("invalid graph: cycle: a -> c -> b -> a (each task depends on the next)", e.getMessage());
    assertEquals(Kind.CYCLE, e.problems().get(0).kind());
    assertEquals(List.of("a", "c", "b"), e.problems().get(0).keys());
  }

  @Test
  void taskThatDependsOnItselfIsACycle() {
    Graph graph = Graph.builder().task("self", "inc", ref("self")).build();
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> graph.validate(registry));
    assertEquals("invalid graph: cycle: self -> self (each task depends on the next)", e.getMessage());
  }

  @Test
  void cycleThatNoOutputReachesIsFoundWhenNoKeysAreGiven() {
    // Every task of the cycle is referenced, so none is a default output; it must not be silently skipped.
    Graph graph = Graph.builder().task("ok", "inc", 1L).task("x", "inc", ref("y")).task("y", "inc", ref("x")).build();
    assertEquals(List.of("ok"), graph.outputs());
    GraphValidationException e = assertThrows(GraphValidationException.class,
        () -> ExecutionPlan.compile(graph, null, registry));
    assertEquals(Kind.CYCLE, e.problems().get(0).kind());
    // Asking only for "ok" does not cull the cycle away, as Dask would: a graph is valid as a whole, on every
    // scheduler (the broker had always refused it).
    assertEquals(Kind.CYCLE, assertThrows(GraphValidationException.class,
        () -> ExecutionPlan.compile(graph, List.of("ok"), registry)).problems().get(0).kind());
  }

  @Test
  void unknownFunctionNamesTheFunctionTheTasksAndTheLoadedModules() {
    Graph graph = Graph.builder().task("a", "frobnicate", 1L).task("b", "frobnicate", 2L).task("c", "inc", 1L)
        .build();
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> graph.validate(registry));
    assertTrue(e.getMessage().startsWith("invalid graph: unknown function 'frobnicate' in tasks 'a', 'b' (loaded "
        + "modules: builtins"), e.getMessage());
    assertEquals(List.of("a", "b"), e.problems().get(0).keys());
  }

  @Test
  void unknownRequestedKeyIsNamed() {
    Graph graph = Graph.builder().task("a", "inc", 1L).build();
    GraphValidationException e = assertThrows(GraphValidationException.class,
        () -> ExecutionPlan.compile(graph, List.of("a", "zz"), registry));
    assertEquals("invalid graph: requested key 'zz' is not in the graph", e.getMessage());
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Graph graph = Graph.builder().task("a", "nope", ref("m1")).task("b", "inc", ref("m2")).build();
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> graph.validate(registry));
    assertEquals(3, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().startsWith("invalid graph: 3 problems\n  - task 'a' references missing key 'm1'\n"
        + "  - task 'b' references missing key 'm2'\n  - unknown function 'nope' in task 'a'"), e.getMessage());
  }

  @Test
  void cullKeepsOnlyWhatTheKeysNeed() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L).task("b", "inc", ref("a")).task("c", "inc", 5L).task("d", "add", ref("b"), ref("c"))
        .build();
    Graph culled = graph.cull(List.of("b"));
    assertEquals(List.of("a", "b"), culled.tasks().stream().map(Task::key).toList());
    assertEquals(List.of("b"), culled.outputs());
    assertThrows(GraphValidationException.class, () -> graph.cull(List.of("missing")));
  }
}
