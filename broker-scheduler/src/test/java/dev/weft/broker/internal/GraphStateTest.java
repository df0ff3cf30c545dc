package dev.weft.broker.internal;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.internal.GraphState.Outcome;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.graph.internal.ExecutionPlan;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker's view of one graph, without Kafka: emission and pool capacity, duplicates and stale attempts, inputs of
 * earlier graphs, and the rebuild a scheduler makes of a graph it takes over (results read again while paused).
 */
class GraphStateTest {
  private static final String POOL = "weft.tasks.default";
  private static final String GPU = "weft.tasks.gpu";

  /** a -> b -> c, and d alone on the gpu pool; b may be retried once. */
  private static GraphState graph(Map<String, ResultRef> inputs, int maxInFlight) {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task(Task.of("b", "inc", ref("a")).withRetries(1))
        .task("c", "inc", ref("b"))
        .task(Task.of("d", "inc", 1L).withPool("gpu"))
        .build();
    ExecutionPlan plan = ExecutionPlan.compile(graph, null, null);
    String[] topics = new String[plan.size()];
    Arrays.fill(topics, POOL);
    topics[plan.indexOf("d")] = GPU;
    return new GraphState("g", 0, 10, 0, plan, false, maxInFlight, topics, inputs);
  }

  private static int task(GraphState graph, String key) {
    return graph.plan().indexOf(key);
  }

  @Test
  void emittedTasksHoldTheirPoolsCapacityUntilTheirResultComes() {
    GraphState graph = graph(Map.of(), 0);
    int first = graph.nextReady();
    assertEquals(1, graph.emitNext());
    graph.emitNext();
    assertFalse(graph.canEmit(), "b and c wait for a");
    assertEquals(Map.of(POOL, 1, GPU, 1), graph.inFlightByTopic());
    assertEquals(2, graph.inFlight());
    int a = task(graph, "a");
    assertTrue(first == a || first == task(graph, "d"));
    assertEquals(Outcome.DONE, graph.onResult(a, 1, true, true, new ResultRef(0, 100), 3));
    assertEquals(Map.of(POOL, 0, GPU, 1), graph.inFlightByTopic());
    assertEquals(new ResultRef(0, 100), graph.location(a));
    assertTrue(graph.canEmit());
    assertEquals(task(graph, "b"), graph.nextReady());
    assertEquals(3, graph.preferredPartition(task(graph, "b")), "b goes where a's value is in memory");
    assertEquals(-1, graph.preferredPartition(task(graph, "d")), "d has no input");
  }

  @Test
  void aGraphsOwnCapStopsEmissionAtItsLimit() {
    GraphState graph = graph(Map.of(), 1);
    graph.emitNext();
    assertFalse(graph.canEmit(), "one in flight, the cap is one");
  }

  @Test
  void duplicatesStaleFailuresAndRetriesAreTold() {
    GraphState graph = graph(Map.of(), 0);
    int a = task(graph, "a");
    int b = task(graph, "b");
    while (graph.nextReady() != a) {
      graph.emitNext();
    }
    graph.emitNext();
    graph.onResult(a, 1, true, true, new ResultRef(0, 1), 0);
    assertEquals(Outcome.IGNORED, graph.onResult(a, 1, true, true, new ResultRef(0, 2), 0), "a redelivery");
    assertEquals(new ResultRef(0, 1), graph.location(a), "the first result stands");
    assertEquals(1, graph.emitNext());
    assertEquals(Outcome.RETRY, graph.onResult(b, 1, false, true, new ResultRef(0, 3), 0));
    assertEquals(2, graph.retry(b));
    assertTrue(graph.isInFlight(b, 2));
    assertEquals(Outcome.IGNORED, graph.onResult(b, 1, false, true, new ResultRef(0, 4), 0), "attempt 1 again");
    assertEquals(Outcome.FAILED, graph.onResult(b, 2, false, true, new ResultRef(0, 5), 0), "retries spent");
    assertEquals(2, graph.attempt(b));
  }

  @Test
  void inputsOfEarlierGraphsAreDoneAtTheirLocations() {
    GraphState graph = graph(Map.of("a", new ResultRef(2, 42)), 0);
    assertEquals(1, graph.done());
    assertEquals(0, graph.inFlight(), "an input holds no capacity");
    assertEquals(new ResultRef(2, 42), graph.location(task(graph, "a")));
    assertEquals(-1, graph.preferredPartition(task(graph, "b")), "an input's value is in no worker's memory");
    assertThrows(IllegalStateException.class, () -> graph.location(task(graph, "c")), "c is not done");
  }

  /**
   * A scheduler that takes a graph over pauses it and reads the graph's results again: what its predecessor's
   * workers wrote is done here without running again or holding capacity, a failure out of retries fails it here
   * too, and a failure with retries left waits for the retry its predecessor sent.
   */
  @Test
  void aGraphTakenOverIsRebuiltFromTheResultsReadAgain() {
    GraphState graph = graph(Map.of(), 0);
    graph.setPaused(true);
    assertFalse(graph.canEmit(), "nothing is emitted while the graph is rebuilt");
    int a = task(graph, "a");
    int b = task(graph, "b");
    int c = task(graph, "c");
    assertEquals(Outcome.RECOVERED, graph.onResult(a, 1, true, true, new ResultRef(0, 7), 5));
    assertEquals(Outcome.IGNORED, graph.onResult(b, 1, false, true, new ResultRef(0, 8), 5),
        "retries left: the predecessor sent attempt 2");
    assertEquals(1, graph.attempt(b));
    assertEquals(Outcome.RECOVERED, graph.onResult(b, 2, true, true, new ResultRef(0, 9), 5));
    assertEquals(2, graph.attempt(b));
    assertEquals(0, graph.inFlight());
    assertEquals(Map.of(), graph.inFlightByTopic());
    assertEquals(2, graph.done());

    graph.setPaused(false);
    assertEquals(Outcome.IGNORED, graph.onResult(c, 1, true, true, new ResultRef(0, 10), 5),
        "once rebuilt, a result of a task not emitted is ignored");
    int emitted = 0;
    while (graph.canEmit()) {
      int next = graph.nextReady();
      assertTrue(next == c || next == task(graph, "d"), "only c (its input recovered) and d are left to emit");
      graph.emitNext();
      emitted++;
    }
    assertEquals(2, emitted);

    GraphState failed = graph(Map.of(), 0);
    failed.setPaused(true);
    failed.onResult(a, 1, true, true, new ResultRef(0, 7), 5);
    assertEquals(Outcome.FAILED, failed.onResult(b, 2, false, true, new ResultRef(0, 8), 5),
        "out of retries there: it fails here too");
    GraphState killed = graph(Map.of(), 0);
    killed.setPaused(true);
    assertEquals(Outcome.FAILED, killed.onResult(a, 1, false, false, new ResultRef(0, 1), 5),
        "a failure no retry may follow (it took its workers down there)");
  }

  /**
   * Progress by function counts each task once, when it is done (inputs of earlier graphs from the start); a graph of
   * more functions than an event lists keeps the ones with the most tasks and sums the rest.
   */
  @Test
  void progressByFunctionCountsEachTaskOnceAndSumsTheFunctionsBeyondTheLimit() {
    GraphState small = graph(Map.of("a", new ResultRef(1, 5)), 0);
    assertEquals(java.util.List.of(new dev.weft.broker.protocol.GraphEvent.FunctionProgress("inc", 1, 4)),
        small.functionProgress(), "a, an input, is done");
    assertTrue(small.canEmit());
    int next = small.nextReady();
    assertEquals(1, small.emitNext());
    assertEquals(Outcome.DONE, small.onResult(next, 1, true, true, new ResultRef(0, 1), 0));
    assertEquals(Outcome.IGNORED, small.onResult(next, 1, true, true, new ResultRef(0, 2), 0));
    assertEquals(2, small.functionProgress().get(0).done());

    var builder = Graph.builder();
    int functions = dev.weft.broker.protocol.GraphEvent.MAX_FUNCTIONS + 6;
    for (int f = 0; f < functions; f++) {
      for (int t = 0; t <= f % 3; t++) { // fn0 has 1 task, fn1 2, fn2 3, fn3 1, ...
        builder.task("f" + f + "-" + t, "fn" + f, 1L);
      }
    }
    ExecutionPlan plan = ExecutionPlan.compile(builder.build(), null, null);
    String[] topics = new String[plan.size()];
    Arrays.fill(topics, POOL);
    GraphState many = new GraphState("g", 0, 0, 0, plan, false, 0, topics, Map.of());
    var progress = many.functionProgress();
    assertEquals(dev.weft.broker.protocol.GraphEvent.MAX_FUNCTIONS, progress.size());
    assertEquals(dev.weft.broker.protocol.GraphEvent.OTHER_FUNCTIONS, progress.get(progress.size() - 1).function());
    assertEquals(plan.size(), progress.stream().mapToInt(p -> p.total()).sum(), "every task is counted");
    // 46 functions have 2 or 3 tasks; 17 of the 24 of one task are kept, in the order of first use.
    assertTrue(progress.stream().anyMatch(p -> p.function().equals("fn48")), "fn48, of one task, is kept");
    assertTrue(progress.stream().noneMatch(p -> p.function().equals("fn51")), "fn51, of one task, is summed");
    assertEquals(7, progress.get(progress.size() - 1).total(), "7 functions of one task are summed");
    assertTrue(progress.stream().anyMatch(p -> p.function().equals("fn2") && p.total() == 3), "fn2 has 3 tasks");
  }
}
