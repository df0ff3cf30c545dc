package dev.weft.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.broker.protocol.DeadLetters;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.TaskError;
import dev.weft.broker.protocol.WorkerReport;
import dev.weft.dashboard.ClusterState;
import dev.weft.dashboard.ClusterView;
import dev.weft.graph.GraphValidationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The view's model fed records made by hand, at times the test chooses: how graphs move from queued to their end,
 * which workers are listed and silent (the rule of {@link ClusterState.Rules}), the task stream's rows and window, dead
 * letters and rejections newest first, and the bounds.
 */
class ClusterModelTest {
  private static final long T0 = 1_800_000_000_000L;
  private static final ClusterState.Rules RULES = new ClusterState.Rules(2_000, 10_000);

  private static GraphEvent.FunctionProgress fn(String name, int done, int total) {
    return new GraphEvent.FunctionProgress(name, done, total);
  }

  private static List<String> ids(ClusterState state) {
    return state.graphs().stream().map(graph -> graph.id() + ":" + graph.state()).toList();
  }

  @Test
  void graphsGoFromQueuedToRunningToTheirEndWithTheirProgressByFunction() {
    ClusterModel model = new ClusterModel(RULES, 2);
    model.onSubmission("g1", 3, 40, T0);
    model.onSubmission("g2", 1, 7, T0 + 10);
    ClusterState queued = model.state(T0 + 1_000);
    assertEquals(List.of("g1:queued", "g2:queued"), ids(queued));
    assertEquals(1_000, queued.graphs().get(0).ageMs());
    assertEquals(40, queued.graphs().get(0).submitOffset());

    model.onEvent(GraphEvent.accepted("g2", 0, 5, List.of(fn("inc", 0, 4), fn("sum", 0, 1))), 1, T0 + 20);
    model.onEvent(GraphEvent.progress("g2", 3, 5, List.of(fn("inc", 3, 4), fn("sum", 0, 1))), 1, T0 + 30);
    ClusterState running = model.state(T0 + 2_000);
    assertEquals(List.of("g2:running", "g1:queued"), ids(running), "running first");
    ClusterState.Graph g2 = running.graphs().get(0);
    assertEquals(List.of(new ClusterState.FunctionProgress("inc", 3, 4), new ClusterState.FunctionProgress("sum", 0, 1)),
        g2.functions());
    assertEquals(3, g2.done());
    assertEquals(5, g2.total());

    model.onEvent(GraphEvent.completed("g2", java.util.Map.of(), 5, 5), 1, T0 + 3_000);
    model.onEvent(GraphEvent.accepted("g1", 0, 1), 3, T0 + 3_100);
    model.onEvent(GraphEvent.failed("g1", "t", "div", 2, new TaskError("java.lang.ArithmeticException",
        "division by zero", "trace", true), "worker-1", 5, 0, 1), 3, T0 + 3_500);
    ClusterState ended = model.state(T0 + 9_000);
    assertEquals(List.of("g1:failed", "g2:completed"), ids(ended), "newest ending first");
    ClusterState.Graph failed = ended.graphs().get(0);
    assertEquals("t", failed.failedTask());
    assertTrue(failed.message().contains("division by zero"), failed.message());
    assertEquals(3_500, failed.ageMs(), "from its submission to its end");
    ClusterState.Graph completed = ended.graphs().get(1);
    assertEquals(List.of(new ClusterState.FunctionProgress("inc", 4, 4), new ClusterState.FunctionProgress("sum", 1, 1)),
        completed.functions(), "a completed graph's functions are all done");

    // Read out of order: the submission of an ended graph after its events does not queue it again.
    model.onSubmission("g2", 1, 7, T0 + 10);
    model.onEvent(GraphEvent.completed("g2", java.util.Map.of(), 5, 5), 1, T0 + 9_500); // a retry's answer
    assertEquals(List.of("g1:failed", "g2:completed"), ids(model.state(T0 + 10_000)));

    // Only the newest finished graphs are kept.
    model.onEvent(GraphEvent.cancelled("g3", "the user pressed ^C", 0, 1), 0, T0 + 11_000);
    assertEquals(List.of("g3:cancelled", "g1:failed"), ids(model.state(T0 + 12_000)));
  }

  /** A state lists the first GRAPHS_LISTED graphs of each state, and counts them all: how many it left out. */
  @Test
  void aStateListsAtMostSoManyGraphsOfEachStateAndCountsTheRest() throws Exception {
    ClusterModel model = new ClusterModel(RULES, 1_000);
    int many = ClusterModel.GRAPHS_LISTED + 50;
    for (int i = 0; i < many; i++) {
      model.onSubmission("run-" + i, 0, i, T0 + i);
      model.onEvent(GraphEvent.accepted("run-" + i, 0, 1), 0, T0 + i);
      model.onSubmission("done-" + i, 0, i, T0 + i);
      model.onEvent(GraphEvent.completed("done-" + i, java.util.Map.of(), 1, 1), 0, T0 + i);
    }
    model.onSubmission("waits", 0, 1, T0);
    ClusterState state = model.state(T0 + 10_000);
    List<String> listed = ids(state);
    assertEquals(2 * ClusterModel.GRAPHS_LISTED + 1, listed.size());
    assertEquals("run-0:running", listed.get(0), "running first, in the order they were seen");
    assertEquals("waits:queued", listed.get(ClusterModel.GRAPHS_LISTED));
    assertEquals("done-" + (many - 1) + ":completed", listed.get(ClusterModel.GRAPHS_LISTED + 1), "newest first");
    assertEquals(new ClusterState.GraphCount(many, 50), state.graphCounts().get("running"));
    assertEquals(new ClusterState.GraphCount(1, 0), state.graphCounts().get("queued"));
    assertEquals(new ClusterState.GraphCount(many, 50), state.graphCounts().get("completed"));
    assertEquals(new ClusterState.GraphCount(0, 0), state.graphCounts().get("failed"));
    assertEquals(List.of("running", "queued", "completed", "failed", "cancelled", "rejected"),
        List.copyOf(state.graphCounts().keySet()));
    JsonNode json = ClusterView.json().readTree(ClusterView.json().writeValueAsBytes(state));
    assertEquals(50, json.path("graphCounts").path("running").path("notListed").asInt(), json.path("graphCounts")
        .toString());

    ClusterState all = model.state(T0 + 10_000, 10_000);
    assertEquals(2 * many + 1, all.graphs().size(), "as weft dump asks: every graph the view holds");
    assertEquals(new ClusterState.GraphCount(many, 0), all.graphCounts().get("running"));
  }

  @Test
  void aRejectionIsListedNewestFirstWithItsProblems() {
    ClusterModel model = new ClusterModel(RULES, 10);
    model.onSubmission("bad", 0, 1, T0);
    model.onEvent(GraphEvent.rejected("bad", "cycle: a -> b -> a", List.of(new GraphValidationException.Problem(
        GraphValidationException.Kind.CYCLE, List.of("a", "b"), "cycle: a -> b -> a"))), 0, T0 + 5);
    model.onEvent(GraphEvent.rejected("worse", "unknown function 'frob' in task 'x'", List.of()), 0, T0 + 6);
    ClusterState state = model.state(T0 + 10);
    assertEquals(List.of("worse", "bad"), state.rejections().stream().map(ClusterState.Rejection::graphId).toList());
    assertEquals(List.of(new ClusterState.Problem("CYCLE", List.of("a", "b"), "cycle: a -> b -> a")),
        state.rejections().get(1).problems());
    assertEquals("rejected", state.graphs().get(1).state());
  }

  private static WorkerReport report(String name, long time, long tasksRun, List<WorkerReport.RunningTask> running,
      List<WorkerReport.TaskSpan> finished, boolean leaving) {
    return new WorkerReport(name, "default", "host-a", 42, time, T0 - 60_000, 2, tasksRun, 0, 1 << 20, 3, 1,
        64L << 20, 512L << 20, List.of(0, 1), running, finished, 0, leaving);
  }

  private static WorkerReport.TaskSpan span(String key, String function, int thread, long startMs, long durationMs) {
    return new WorkerReport.TaskSpan("g", key, function, thread, startMs * 1000, durationMs * 1000, 8, 16, true,
        new ResultRef(0, 1));
  }

  /**
   * The rule: a worker is silent once its last report is older than silentAfterMs, and left out once it is older than
   * goneAfterMs, or at once when it said it leaves.
   */
  @Test
  void aWorkerIsSilentAfterTheSilentTimeAndLeftOutAfterTheGoneTimeOrWhenItLeaves() {
    ClusterModel model = new ClusterModel(RULES, 10);
    model.onWorkerReport(report("worker-1", T0, 10, List.of(), List.of(), false));
    model.onWorkerReport(report("worker-2", T0, 0, List.of(), List.of(), false));
    model.onWorkerReport(report("worker-1", T0 + 2_000, 30, List.of(
        new WorkerReport.RunningTask("g", "sleep-7", "sleep", 2, (T0 + 1_500) * 1000)), List.of(), false));

    ClusterState state = model.state(T0 + 2_000);
    assertEquals(List.of("worker-1", "worker-2"), state.workers().stream().map(ClusterState.Worker::name).toList());
    ClusterState.Worker first = state.workers().get(0);
    assertEquals(10.0, first.tasksPerSecond(), 1e-9, "20 tasks in 2 s");
    assertFalse(first.silent());
    assertEquals(List.of(new ClusterState.RunningTask("g", "sleep-7", "sleep", 2, T0 + 1_500)), first.runningTasks());
    assertEquals(-1, first.lag(), "no group seen yet");
    assertFalse(first.member());

    assertFalse(state.workers().get(1).silent(), "2,000 ms after worker-2's report: not over 2,000 yet");
    ClusterState later = model.state(T0 + 2_001);
    assertTrue(later.workers().get(1).silent());
    assertEquals(2_001, later.workers().get(1).silentMs());

    assertEquals(List.of("worker-1", "worker-2"), model.state(T0 + 10_000).workers().stream()
        .map(ClusterState.Worker::name).toList(), "10,000 ms after its report, worker-2 is still listed");
    assertEquals(List.of("worker-1"), model.state(T0 + 10_001).workers().stream().map(ClusterState.Worker::name)
        .toList(), "and left out after");
    assertEquals(2, model.lastReports().size(), "its last report is kept: a graph's tasks still say where they ran");

    model.onWorkerReport(report("worker-1", T0 + 3_000, 30, List.of(), List.of(), true));
    assertEquals(List.of("worker-2"), model.state(T0 + 3_000).workers().stream().map(ClusterState.Worker::name)
        .toList(), "a worker that says it leaves is left out at once");
  }

  @Test
  void theGroupsGiveAWorkerItsPartitionsLagAndMembership() {
    ClusterModel model = new ClusterModel(RULES, 10);
    model.onWorkerReport(report("worker-1", T0, 0, List.of(), List.of(), false));
    model.onGroups(List.of(new ClusterState.Pool("default", "weft.tasks.default", "weft.tasks.default.workers", 3, 12,
        List.of(new ClusterState.Member("worker-1", "weft-worker-1", "/127.0.0.1", List.of(0, 2), 5)),
        List.of(new ClusterState.PartitionLag(0, 10, 8, 2, "worker-1"), new ClusterState.PartitionLag(1, 7, 0, 7, null),
            new ClusterState.PartitionLag(2, 3, 0, 3, "worker-1")))),
        List.of(new ClusterState.Scheduler("scheduler-1", "weft-scheduler-1-graphs", "/127.0.0.1", List.of(0, 1))));
    ClusterState.Worker worker = model.state(T0).workers().get(0);
    assertEquals(List.of(0, 2), worker.partitions(), "the group's assignment, not the report's");
    assertEquals(5, worker.lag());
    assertTrue(worker.member());
  }

  @Test
  void theTaskStreamHasARowPerWorkerThreadAndTheLastMinuteOfSpansAndRunningTasks() throws Exception {
    ClusterModel model = new ClusterModel(RULES, 10);
    model.onWorkerReport(report("worker-1", T0, 2, List.of(), List.of(span("old", "inc", 1, T0 - 70_000, 5_000),
        span("a", "inc", 1, T0 - 1_000, 200), span("b", "sleep", 2, T0 - 900, 300)), false));
    model.onWorkerReport(report("worker-2", T0, 1, List.of(new WorkerReport.RunningTask("g", "c", "sleep", 1,
        (T0 - 500) * 1000)), List.of(), false));
    ClusterState.TaskStream stream = model.state(T0).taskStream();
    assertEquals(List.of("worker-1 #1", "worker-1 #2", "worker-2 #1", "worker-2 #2"), stream.rows());
    assertEquals(List.of("inc", "sleep"), stream.functions());
    assertEquals(T0 - 60_000, stream.from());
    assertEquals(List.of(new ClusterState.Span(0, 0, 59_000, 200, ClusterState.Span.SUCCEEDED, "a"),
        new ClusterState.Span(1, 1, 59_100, 300, ClusterState.Span.SUCCEEDED, "b"),
        new ClusterState.Span(2, 1, 59_500, 500, ClusterState.Span.RUNNING, "c")), stream.spans(),
        "the span that ended over a minute ago is gone");
    ClusterState.Span silent = model.state(T0 + 3_000).taskStream().spans().get(2);
    assertEquals(56_500, silent.start(), "the window moved on by 3 s");
    assertEquals(500, silent.duration(), "a silent worker's task is drawn up to its last report");

    JsonNode json = ClusterView.json().readTree(ClusterView.json().writeValueAsBytes(model.state(T0)));
    assertEquals("[0,0,59000,200,0,\"a\"]", json.path("taskStream").path("spans").get(0).toString(),
        "spans are arrays, to keep the state small");
    assertFalse(json.path("graphs").isMissingNode());
  }

  @Test
  void theTaskStreamListsTheNewestSpansAndCountsTheRest() {
    ClusterModel model = new ClusterModel(RULES, 10);
    List<WorkerReport.TaskSpan> many = new ArrayList<>();
    for (int i = 0; i < ClusterModel.MAX_SPANS_LISTED + 10; i++) {
      many.add(span("t" + i, "inc", 1, T0 - 1_000, 1));
    }
    model.onWorkerReport(new WorkerReport("worker-1", "default", "h", 1, T0, T0, 1, many.size() + 7, 0, 0, 0, 0, 0, 0,
        List.of(), List.of(), many, 7, false));
    ClusterState.TaskStream stream = model.state(T0).taskStream();
    assertEquals(ClusterModel.MAX_SPANS_LISTED, stream.spans().size());
    assertEquals("t" + (many.size() - 1), stream.spans().get(stream.spans().size() - 1).key(), "the newest");
    assertEquals(10 + 7, stream.spansNotListed(), "those left out, and those the worker only counted");
  }

  /**
   * A forged report on the workers topic says its worker has 2^31-1 threads and runs tasks on threads 2^31-1 and -5:
   * the state draws at most MAX_THREADS_PER_WORKER rows for it (not billions, under the model's lock), counts the
   * tasks it cannot draw, and the stream has at most MAX_ROWS rows in all.
   */
  @Test
  @org.junit.jupiter.api.Timeout(10)
  void aReportsThreadCountAndThreadNumbersCannotMakeTheTaskStreamHuge() {
    ClusterModel model = new ClusterModel(RULES, 10);
    model.onWorkerReport(new WorkerReport("forged", "default", "h", 1, T0, T0, Integer.MAX_VALUE, 2, 0, 0, 0, 0, 0,
        0, List.of(), List.of(new WorkerReport.RunningTask("g", "r", "sleep", Integer.MAX_VALUE, (T0 - 10) * 1000),
            new WorkerReport.RunningTask("g", "r2", "sleep", 3, (T0 - 10) * 1000)),
        List.of(span("far", "inc", Integer.MAX_VALUE, T0 - 1_000, 1), span("below", "inc", -5, T0 - 1_000, 1),
            span("near", "inc", 2, T0 - 1_000, 1)), 0, false));
    ClusterState.TaskStream stream = model.state(T0).taskStream();
    assertEquals(ClusterModel.MAX_THREADS_PER_WORKER, stream.rows().size());
    assertEquals("forged #1", stream.rows().get(0));
    assertEquals("forged #" + ClusterModel.MAX_THREADS_PER_WORKER, stream.rows().get(stream.rows().size() - 1));
    assertEquals(List.of("near", "r2"), stream.spans().stream().map(ClusterState.Span::key).toList());
    assertEquals(3, stream.spansNotListed(), "two spans and a running task on threads out of range: counted");

    for (int i = 0; i < 10; i++) {
      model.onWorkerReport(new WorkerReport("worker-" + i, "default", "h", 1, T0, T0, Integer.MAX_VALUE, 0, 0, 0, 0, 0,
          0, 0, List.of(), List.of(), List.of(), 0, false));
    }
    assertEquals(ClusterModel.MAX_ROWS, model.state(T0).taskStream().rows().size(), "the rows in all are bounded");
  }

  @Test
  void aWorkersLastReportIsKeptWithoutItsFinishedSpans() {
    ClusterModel model = new ClusterModel(RULES, 10);
    model.onWorkerReport(report("worker-1", T0, 1, List.of(new WorkerReport.RunningTask("g", "c", "sleep", 1,
        (T0 - 500) * 1000)), List.of(span("a", "inc", 1, T0 - 1_000, 200)), false));
    WorkerReport kept = model.lastReports().get(0);
    assertEquals(List.of(), kept.finished(), "the spans are in the task stream; the report need not hold them");
    assertEquals(1, kept.running().size());
    assertEquals(1, model.state(T0).taskStream().spans().stream().filter(s -> s.key().equals("a")).count());
  }

  @Test
  void deadLettersAreListedNewestFirstWithTheirReasonAndSourceAndOnlyTheNewest() {
    ClusterModel model = new ClusterModel(RULES, 10);
    for (int i = 0; i < ClusterModel.MAX_DEAD_LETTERS + 5; i++) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(DeadLetters.REASON_HEADER, ("not Avro " + i).getBytes(StandardCharsets.UTF_8));
      headers.add(DeadLetters.SOURCE_HEADER, ("weft.graphs-0@" + i).getBytes(StandardCharsets.UTF_8));
      model.onDeadLetter(0, i, T0 + i, "key-" + i, new byte[] {1, 2, 3}, headers);
    }
    List<ClusterState.DeadLetter> letters = model.state(T0).deadLetters();
    assertEquals(ClusterModel.MAX_DEAD_LETTERS, letters.size());
    ClusterState.DeadLetter newest = letters.get(0);
    assertEquals("not Avro " + (ClusterModel.MAX_DEAD_LETTERS + 4), newest.reason());
    assertEquals("weft.graphs-0@" + (ClusterModel.MAX_DEAD_LETTERS + 4), newest.source());
    assertNull(newest.truncated());
    assertEquals(3, newest.bytes());
  }

  @Test
  void theStateIsCaughtUpOnceTheTopicsGroupsAndStreamsWereRead() throws Exception {
    ClusterModel model = new ClusterModel(RULES, 10);
    assertFalse(model.awaitCaughtUp(1));
    model.topicsCaughtUp();
    model.onGroups(List.of(), List.of());
    assertFalse(model.state(T0).caughtUp());
    model.problem("streams", "the stream jobs: a timeout");
    assertTrue(model.awaitCaughtUp(1));
    assertEquals(List.of("the stream jobs: a timeout"), model.state(T0).problems());
  }
}
