package dev.weft.connectors.kafka;

import java.util.Map;

/**
 * Kafka topics as sources and sinks of collections, each partition a task that calls a function of
 * {@link TopicFunctions}, so they run on every scheduler whose workers can reach the cluster.
 *
 * <pre>{@code
 * Map<String, Object> cluster = Map.of("bootstrap.servers", "kafka:9092",
 *     "schema.registry.url", "http://registry:8081");
 * Source orders = KafkaTopics.source(cluster, "orders", TopicFormat.AVRO).withMaxRecordsPerPartition(100_000);
 * Sink totals = KafkaTopics.sink(cluster, "order-totals", TopicFormat.JSON);
 * }</pre>
 *
 * <p>The connection travels in the graph, so secrets are refused in it: see {@link TopicConnection} for where to
 * configure them instead.
 */
public final class KafkaTopics {
  private KafkaTopics() {}

  /**
   * A bounded read of {@code topic}: all its partitions, up to their end offsets when the source is planned.
   *
   * @param connection client properties: {@code bootstrap.servers}, {@code schema.registry.url} for avro, and any
   *     other that is not a secret ({@link TopicConnection})
   * @throws IllegalArgumentException if the connection holds a secret or a property that chooses code, or no topic or
   *     format is given
   */
  public static TopicSource source(Map<String, ?> connection, String topic, TopicFormat format) {
    return new TopicSource(connection, topic, format);
  }

  /**
   * Writes a collection's partitions to {@code topic}, each task returning how many records it wrote.
   *
   * @param connection as for {@link #source}
   * @throws IllegalArgumentException as {@link #source} does
   */
  public static TopicSink sink(Map<String, ?> connection, String topic, TopicFormat format) {
    return new TopicSink(connection, topic, format);
  }
}
