package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedulers share the graphs as a consumer group: when one stops, another takes over its partitions, rebuilds the
 * unfinished graphs from the graphs and results topics, and finishes them.
 */
@WithKafka
class SchedulerHandoverTest {
  @TempDir
  Path temp;

  @Test
  void aGraphOutlivesTheSchedulerThatAcceptedIt(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 2);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      GraphBuilder builder = Graph.builder();
      List<Arg> all = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        builder.task("t" + i, "count-and-sleep", temp.resolve("calls").toString(), 20L, (long) i);
        all.add(Arg.ref("t" + i));
      }
      Graph graph = builder.task("total", "sum", all).outputs("total").build();
      // Few tasks in flight, so that most of the graph is still to be scheduled when its scheduler goes.
      GraphFuture future = client.submit(graph, SubmitOptions.defaults().maxInFlight(4));
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (future.done() < 10) {
        assertTrue(System.nanoTime() < deadline, "no progress");
        Thread.sleep(20);
      }
      Map<String, Object> secondConfig = new java.util.HashMap<>(cluster.connection());
      secondConfig.put(SchedulerServiceConfig.NAME, "second-scheduler");
      try (SchedulerService second = SchedulerService.start(secondConfig)) {
        assertTrue(second.awaitAssignment(Duration.ofMinutes(1)));
        cluster.scheduler().close();
        assertEquals(Map.of("total", 150L * 149 / 2), WeftClient.await(future, Duration.ofMinutes(2)));
        assertEquals(null, second.failure());
        // The successor kept the results it read back: only tasks in flight at the hand-over may have run twice
        // (four emitted by each scheduler at most), not the graph again.
        long calls = dev.weft.testkit.TestFunctions.calls(temp.resolve("calls"));
        assertTrue(calls <= 150 + 8, calls + " calls for 150 tasks");
      }
    }
  }
}
