package dev.weft.cli;

import dev.weft.connection.KafkaConnection;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.KafkaSchemaStore;
import dev.weft.registry.embedded.KafkaSchemaStoreConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
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
@Command(name = "registry", description = "Run a schema registry (Confluent's REST API), on 127.0.0.1 unless --host "
    + "says otherwise, its schemas in a topic of Kafka, until Ctrl-C.")
final class RegistryCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address to listen on (default: ${DEFAULT-VALUE}). The registry has no TLS or authentication: "
          + "0.0.0.0 only where the network is private, as between the containers of docker/compose.yaml.")
  String host;

  @Option(names = "--port", defaultValue = "8081",
      description = "Port clients connect to; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      description = "The Kafka that keeps the schemas (default: $WEFT_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE",
      description = "A setting of the schemas' store (kafkastore.topic, ...) or of its Kafka clients (security.protocol,"
          + " sasl.jaas.config, ...: given to them as kafkastore.KEY); repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws InterruptedException {
    KafkaConnection kafka = bootstrap != null
        ? KafkaConnection.of(bootstrap)
        : KafkaConnection.fromEnvironment().orElseThrow(() -> new IllegalArgumentException(
            "where is Kafka? pass --bootstrap or set " + KafkaConnection.BOOTSTRAP_ENV));
    String servers = kafka.bootstrapServers();
    Map<String, Object> store = new LinkedHashMap<>();
    kafka.clientProperties().forEach((key, value) -> store.put(KafkaSchemaStoreConfig.PREFIX + key, value));
    settings.forEach((key, value) -> store.put(key.startsWith(KafkaSchemaStoreConfig.PREFIX) ? key
        : KafkaSchemaStoreConfig.PREFIX + key, value));
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--host " + host + " is not an address of this machine: " + e.getMessage(), e);
    }
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
        .store(new KafkaSchemaStore(store)).bindAddress(address).port(port).start();
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
