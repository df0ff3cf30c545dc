package dev.weft.cli;

import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.KafkaConnection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where Kafka and the schema registry are, for the commands that talk to a running deployment. Defaults come from the
 * environment ({@code WEFT_KAFKA_BOOTSTRAP}, {@code WEFT_KAFKA_PROPERTIES}, {@code WEFT_REGISTRY_URL}), as
 * {@code weft up --keep-running} prints them.
 */
final class ConnectionOptions {
  static final String REGISTRY_ENV = "WEFT_REGISTRY_URL";

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: $WEFT_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Option(names = "--registry", paramLabel = "URL", description = "Schema registry URL (default: $WEFT_REGISTRY_URL).")
  String registry;

  @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE",
      description = "A Weft or Kafka client setting (weft.topic.prefix, security.protocol, ...); repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** The settings for WeftKafkaConfig and its subclasses. */
  Map<String, Object> config() {
    Map<String, Object> config = new HashMap<>();
    KafkaConnection connection = bootstrap != null
        ? KafkaConnection.of(bootstrap)
        : KafkaConnection.fromEnvironment().orElseThrow(() -> new IllegalArgumentException(
            "where is Kafka? pass --bootstrap or set " + KafkaConnection.BOOTSTRAP_ENV + " (weft up --keep-running "
                + "prints it)"));
    config.putAll(connection.clientProperties());
    String registryUrl = registry != null ? registry : System.getenv(REGISTRY_ENV);
    if (registryUrl == null) {
      throw new IllegalArgumentException("where is the schema registry? pass --registry or set " + REGISTRY_ENV);
    }
    config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registryUrl);
    config.putAll(settings);
    return config;
  }
}
