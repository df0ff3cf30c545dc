package dev.weft.broker;

import dev.weft.scheduler.Option;
import java.time.Duration;
import java.util.Map;

/** Options of the broker scheduler, beside {@link dev.weft.scheduler.SchedulerOptions}. */
public final class BrokerOptions {
  private BrokerOptions() {}

  @SuppressWarnings("unchecked")
  private static final Class<Map<String, Object>> CONFIG_TYPE = (Class<Map<String, Object>>) (Class<?>) Map.class;

  /**
   * Where Kafka and the schema registry are, as {@link dev.weft.broker.protocol.WeftKafkaConfig} keys. Default: the
   * environment as {@link dev.weft.connection.WeftConnection#fromEnvironment()} reads them: {@code weft.kafka.bootstrap}
   * / {@code WEFT_KAFKA_BOOTSTRAP}, {@code weft.kafka.properties} / {@code WEFT_KAFKA_PROPERTIES} (client settings such
   * as SASL or TLS) and {@code weft.registry.url} / {@code WEFT_REGISTRY_URL} (system property / environment variable).
   */
  public static final Option<Map<String, Object>> CONNECTION = Option.of("broker.connection", CONFIG_TYPE, null,
      "Kafka and schema registry settings; default: from weft.kafka.bootstrap, weft.kafka.properties and "
          + "weft.registry.url.");

  /** How long a compute waits for its graph; when it passes, the graph is cancelled. */
  public static final Option<Duration> TIMEOUT = Option.of("broker.timeout", Duration.class, Duration.ofMinutes(30),
      "Longest wait for a graph's outputs; the graph is cancelled when it passes.");
}
