package dev.weft.cli;

import dev.weft.kafka.KafkaConnection;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.KafkaSchemaStore;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weft registry}: the embedded schema registry as a service, its schemas kept in a compacted topic of the given
 * Kafka (so a deployment of {@code broker}, {@code registry}, {@code scheduler} and {@code worker} needs nothing
 * else), until Ctrl-C.
 */
@Command(name = "registry", description = "Run a schema registry (Confluent's REST API) on this machine (127.0.0.1 "
    + "only), its schemas in a topic of Kafka, until Ctrl-C.")
final class RegistryCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "8081",
      description = "Port clients connect to; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      description = "The Kafka that keeps the schemas (default: $WEFT_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Override
  public Integer call() throws InterruptedException {
    String servers = bootstrap != null ? bootstrap : KafkaConnection.fromEnvironment()
        .map(KafkaConnection::bootstrapServers).orElseThrow(() -> new IllegalArgumentException(
            "where is Kafka? pass --bootstrap or set " + KafkaConnection.BOOTSTRAP_ENV));
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
        .store(new KafkaSchemaStore(Map.of("kafkastore.bootstrap.servers", servers))).port(port).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      registry.close();
      stopped.countDown();
    }, "weft-registry-shutdown"));
    System.out.println("schema registry ready at " + registry.url() + " (schemas in Kafka at " + servers + ")");
    System.out.println("Ctrl-C stops it. Other weft commands find it with: export " + ConnectionOptions.REGISTRY_ENV
        + "=" + registry.url());
    stopped.await();
    return 0;
  }
}
