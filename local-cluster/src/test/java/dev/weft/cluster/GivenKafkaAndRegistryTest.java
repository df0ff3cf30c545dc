package dev.weft.cluster;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(300)
class GivenKafkaAndRegistryTest {
  /**
   * What the cluster says and hands to clients must be what runs: weft up named the embedded registry and broker even
   * when others were given, and a submit through them failed with an unknown schema id. Closing leaves what was given
   * running.
   */
  @Test
  void aGivenKafkaAndRegistryAreWhatItRunsOnAndPrintsAndTheyOutliveIt() throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
         EmbeddedSchemaRegistry given = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
         RestSchemaRegistryClient registry = RestSchemaRegistryClient.builder().baseUrl(given.url()).build()) {
      try (WeftCluster cluster = WeftCluster.builder().processes(false).workers(1).threadsPerWorker(1)
          .setting("bootstrap.servers", kafka.bootstrapServers()).setting("schema.registry.url", given.url())
          .setting("weft.http.port", "0").log(new PrintStream(output, true, StandardCharsets.UTF_8)).start()) {
        String printed = output.toString(StandardCharsets.UTF_8);
        assertEquals(kafka.bootstrapServers(), cluster.bootstrapServers());
        assertEquals(given.url(), cluster.registryUrl());
        assertTrue(printed.contains("Kafka at " + kafka.bootstrapServers() + " (given)"), printed);
        assertTrue(printed.contains("schema registry at " + given.url() + " (given)"), printed);
        // Settings reach every part, but for the HTTP port: the scheduler's alone, or every worker would bind it.
        assertTrue(printed.contains("dashboard at " + cluster.dashboardUrl()), printed);
        assertEquals(null, cluster.machine().inProcessWorkers().get(0).httpAddress());
        Graph graph = Graph.builder().task("a", "inc", 1).task("b", "add", ref("a"), 10).build();
        assertEquals(12L, ((Number) cluster.client().compute(graph, Duration.ofMinutes(2)).get("b")).longValue());
      }
      // The client wrote graphs, the scheduler tasks and events, the worker results and its reports: each under the
      // given registry, which, with the given Kafka, still answers.
      assertEquals(List.of("weft.events-value", "weft.graphs-value", "weft.results-value",
          "weft.tasks.default-value", "weft.workers-value"), registry.subjects());
      assertTrue(Checks.listening(kafka.bootstrapServers()), "the given Kafka still runs");
    }
  }
}
