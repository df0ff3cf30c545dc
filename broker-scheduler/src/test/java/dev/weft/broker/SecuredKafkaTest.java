package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.graph.Graph;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.scheduler.ComputeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka whose listener requires SASL/PLAIN, reached by the broker scheduler of the Java API with nothing but what
 * the environment names (bootstrap servers, a client properties file, the registry): the properties file was once
 * read by the command line only, and dropped here.
 */
class SecuredKafkaTest {
  @TempDir
  Path temp;

  @Test
  @Timeout(300)
  void theBrokerSchedulerAppliesTheClientPropertiesFileTheEnvironmentNames() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().saslPlain("weft", "s3cret").start()) {
      try (Admin anonymous = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
        assertThrows(ExecutionException.class, () -> anonymous.listTopics().names().get(30, TimeUnit.SECONDS),
            "the listener refuses a client without SASL settings");
      }
      try (WeftCluster cluster = WeftCluster.on(kafka.connection(), "sasl", 1, Map.of())) {
        Path file = temp.resolve("client.properties");
        StringBuilder properties = new StringBuilder();
        for (String key : List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config")) {
          properties.append(key).append('=').append(kafka.connection().clientProperties().get(key)).append('\n');
        }
        properties.append(WeftKafkaConfig.TOPIC_PREFIX).append('=')
            .append(cluster.connection().get(WeftKafkaConfig.TOPIC_PREFIX)).append('\n');
        Files.writeString(file, properties);
        Map<String, String> environment = Map.of("weft.kafka.bootstrap", kafka.bootstrapServers(),
            "weft.kafka.properties", file.toString(),
            "weft.registry.url", String.valueOf(cluster.connection().get(WeftKafkaConfig.SCHEMA_REGISTRY_URL)));
        environment.forEach(System::setProperty);
        try (BrokerScheduler broker = new BrokerScheduler()) {
          Graph graph = Graph.builder().task("a", "inc", 1L).task("b", "add", dev.weft.graph.Arg.ref("a"), 10L).build();
          assertEquals(Map.of("b", 12L), broker.compute(graph, List.of("b"), ComputeOptions.defaults()));
        } finally {
          environment.keySet().forEach(System::clearProperty);
        }
      }
    }
  }
}
