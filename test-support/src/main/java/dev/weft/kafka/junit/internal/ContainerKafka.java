package dev.weft.kafka.junit.internal;

import dev.weft.connection.KafkaConnection;
import dev.weft.kafka.embedded.internal.BrokerSettings;
import java.util.Locale;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka broker in a Docker container, started by Testcontainers. The only class that names Testcontainers types:
 * it is loaded only once {@link SharedKafka} has found them on the class path, which they need not be.
 */
final class ContainerKafka implements AutoCloseable {
  private final KafkaContainer container;
  private final KafkaConnection connection;

  private ContainerKafka(KafkaContainer container) {
    this.container = container;
    this.connection = KafkaConnection.of(container.getBootstrapServers());
  }

  static Optional<String> dockerUnavailableReason() {
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return Optional.empty();
    }
    return Optional.of("no Docker engine here (Testcontainers found no valid Docker environment; its log says where"
        + " it looked). The embedded target, the default, needs none.");
  }

  /** Starts an {@code apache/kafka} (or compatible) container with the single-node settings of the embedded broker. */
  static ContainerKafka start(String image) {
    KafkaContainer container = new KafkaContainer(DockerImageName.parse(image));
    // The apache/kafka image turns KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS into group.initial.rebalance.delay.ms.
    BrokerSettings.SINGLE_NODE_DEFAULTS.forEach((key, value) -> container.withEnv(
        "KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
    container.start();
    return new ContainerKafka(container);
  }

  KafkaConnection connection() {
    return connection;
  }

  @Override
  public void close() {
    container.stop();
  }
}
