package dev.weft.broker;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.GraphListener;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.TaskFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.graph.Graph;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.testkit.Shapes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's futures API, as Dask's distributed Client offers it, against a running broker deployment. */
@WithKafka
class BrokerClientTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static WeftCluster cluster;
  private static WeftClient client;

  @TempDir
  Path temp;

  @BeforeAll
  static void start(TestKafka kafka) throws Exception {
    cluster = WeftCluster.start(kafka, 2);
    client = WeftClient.connect(cluster.connection());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void submittedFunctionsTakeEarlierFuturesWhoseValuesStayInKafka() throws Exception {
    TaskFuture<Object> x = client.submit("inc", 1L);
    TaskFuture<Object> y = client.submit("add", x, 10L);
    TaskFuture<Object> total = client.submit("sum", List.of(x, y, 100L));
    assertEquals(114L, total.get(2, TimeUnit.MINUTES));
    // y's task read x by location; x's location is known, its value was never sent by the client.
    assertNotNull(x.location());
    assertEquals(2L, client.read(x.location()));
  }

  /** A graph whose pool no worker serves would wait at 0%: the client names the pool (and logs it on submit). */
  @Test
  void poolsThatNoWorkerServesAreNamed() throws Exception {
    Graph graph = Graph.builder().task("a", "inc", 1L)
        .task(dev.weft.graph.Task.of("g", "inc", dev.weft.graph.Arg.ref("a")).withPool("nobody"))
        .build();
    assertEquals(java.util.Set.of("nobody"), client.poolsWithoutWorkers(graph).get(1, TimeUnit.MINUTES));
    assertEquals(java.util.Set.of(), client.poolsWithoutWorkers(Graph.builder().task("a", "inc", 1L).build())
        .get(1, TimeUnit.MINUTES), "the default pool has workers here");
  }

  @Test
  void aFailureOfAnEarlierFutureReachesLaterOnes() {
    TaskFuture<Object> bad = client.submit("fail", "upstream broke");
    TaskFuture<Object> later = client.submit("inc", bad);
    ExecutionException failure = assertThrows(ExecutionException.class, () -> later.get(2, TimeUnit.MINUTES));
    TaskFailedException cause = assertInstanceOf(TaskFailedException.class, failure.getCause());
    assertTrue(cause.getMessage().contains("upstream broke"), cause.getMessage());
  }

  /** A timed wait only waits, as Dask's: once it cancelled the graph it had waited for. */
  @Test
  void aGatherThatTimesOutLeavesTheGraphsRunning() throws Exception {
    TaskFuture<Object> slow = client.submit("sleep", 1_500L, "late");
    assertThrows(java.util.concurrent.TimeoutException.class,
        () -> client.gather(List.of(slow), Duration.ofMillis(100)));
    assertTrue(!slow.isCancelled(), "the timed wait cancelled the task");
    assertEquals(List.of("late"), client.gather(List.of(slow), WAIT));
  }

  @Test
  void gatherReturnsValuesInTheOrderAsked() throws Exception {
    List<TaskFuture<Object>> squares = new ArrayList<>();
    for (long i = 0; i < 10; i++) {
      squares.add(client.submit("mul", i, i));
    }
    assertEquals(List.of(0L, 1L, 4L, 9L, 16L, 25L, 36L, 49L, 64L, 81L), client.gather(squares, WAIT));
  }

  @Test
  void asCompletedYieldsGraphsInTheOrderTheyFinish() throws Exception {
    Path gate = temp.resolve("gate");
    GraphFuture slow = client.submit(Graph.builder().task("slow", "await-file", gate.toString(), 120_000L, "slow")
        .build());
    GraphFuture fast = client.submit(Graph.builder().task("fast", "inc", 1L).build());
    List<GraphFuture> order = new ArrayList<>();
    for (GraphFuture done : WeftClient.asCompleted(List.of(slow, fast))) {
      order.add(done);
      if (done == fast) {
        java.nio.file.Files.createFile(gate); // only now can the slow one finish
      }
    }
    assertEquals(List.of(fast, slow), order);
    assertEquals(Map.of("slow", "slow"), slow.get());
  }

  @Test
  void progressIsReportedWhileAGraphRuns() throws Exception {
    GraphFuture graph = client.submit(Shapes.wide(2_000));
    assertEquals(Map.of("sum", Shapes.wideResult(2_000)), WeftClient.await(graph, WAIT));
    assertEquals(2_001, graph.total());
    assertEquals(2_001, graph.done());
    assertEquals(Shapes.wideResult(2_000), client.read(graph.locations().get("sum")));
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheClient() throws Exception {
    GraphListener throwing = new GraphListener() {
      @Override
      public void accepted(int tasks) {
        throw new AssertionError("a listener's bug");
      }

      @Override
      public void taskDone(String key, String function, ResultRef location, String worker, long durationNanos) {
        throw new IllegalStateException("another listener bug");
      }
    };
    GraphFuture graph = client.submit(Shapes.wide(20), SubmitOptions.defaults().listener(throwing, true));
    assertEquals(Map.of("sum", Shapes.wideResult(20)), WeftClient.await(graph, WAIT));
    assertEquals(Map.of("sum", Shapes.wideResult(10)), client.compute(Shapes.wide(10), WAIT));
  }

  @Test
  void computeThatTimesOutCancelsTheGraph() {
    Path gate = temp.resolve("never");
    Graph stuck = Graph.builder().task("waits", "await-file", gate.toString(), 8_000L, 1L)
        .task("after", "inc", ref("waits")).build();
    CancellationException timedOut = assertThrows(CancellationException.class,
        () -> client.compute(stuck, Duration.ofSeconds(2)));
    assertTrue(timedOut.getMessage().contains("the graph was cancelled"), timedOut.getMessage());
  }
}
