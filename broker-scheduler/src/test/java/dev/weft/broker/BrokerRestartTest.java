package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills on a Kafka broker of the test's own, in a child JVM on a log folder that outlives it: killed with SIGKILL
 * while graphs run and started again on the same folder and port. Clients, schedulers and workers reconnect; every
 * graph completes, none is lost or hangs.
 */
class BrokerRestartTest {
  @TempDir
  Path temp;

  /** {@code count} tasks that sleep and return their number, and their sum. */
  private static Graph sleepers(int count, long millis) {
    GraphBuilder builder = Graph.builder();
    List<Arg> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      builder.task("t" + i, "sleep", millis, (long) i);
      all.add(Arg.ref("t" + i));
    }
    return builder.task("total", "sum", all).outputs("total").build();
  }

  /**
   * Submits six graphs, takes the broker away for {@code outage} once a quarter of their tasks are done, and checks
   * that every graph completes right.
   */
  private void drill(String name, Map<String, Object> settings, Duration outage) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().childProcess(true).logDir(temp.resolve("kafka")).start();
         WeftCluster cluster = WeftCluster.on(kafka.connection(), name, 2, settings);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Drill drill = new Drill(name);
      List<GraphFuture> graphs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        graphs.add(drill.track(client.submit(sleepers(60, 30), SubmitOptions.defaults().maxInFlight(4)), "total",
            60L * 59 / 2));
      }
      Drill.awaitProgress(graphs, 6 * 61 / 4, Duration.ofMinutes(1));
      kafka.kill();
      long killed = System.nanoTime();
      int[] atKill = Drill.doneOf(graphs);
      Thread.sleep(outage.toMillis());
      kafka.restart();
      drill.note("broker down %.1f s", Drill.secondsSince(killed));
      long restarted = System.nanoTime();
      Drill.awaitEveryGraphMovedOn(graphs, atKill, Duration.ofMinutes(3));
      drill.note("every graph progressing again %.1f s after the restart", Drill.secondsSince(restarted));
      drill.awaitAll(Duration.ofMinutes(3));
      assertEquals(null, cluster.scheduler().failure());
      for (Process worker : cluster.workers()) {
        assertTrue(worker.isAlive(), "a worker stopped");
      }
      // And a new graph runs as ever.
      assertEquals(Map.of("total", 10L * 9 / 2), client.compute(sleepers(10, 1), Duration.ofMinutes(1)));
    }
  }

  @Test
  void aBrokerKilledAndRestartedMidGraphLosesNoGraph() throws Exception {
    drill("broker-sigkill-restart", Map.of(), Duration.ZERO);
  }

  /**
   * The clients give up a request after 3 s here, a send after 15 s (Kafka's producers after 120 s by default: Weft's
   * never), a read of inputs after 5 s, and the outage lasts 25 s: longer than every one of them, as a two-minute
   * outage is with the defaults. Sends that Kafka gave up on are sent again; reads are tried again.
   */
  @Test
  void anOutageLongerThanEveryClientTimeoutLosesNoGraph() throws Exception {
    drill("broker-outage-25s", Map.of("request.timeout.ms", "3000", "delivery.timeout.ms", "15000",
        "default.api.timeout.ms", "5000", "max.block.ms", "5000", "weft.worker.input.timeout.ms", "5000",
        "session.timeout.ms", "6000"), Duration.ofSeconds(25));
  }
}
