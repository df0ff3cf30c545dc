package dev.weft.connectors.kafka;

import dev.weft.connectors.Sink;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Writes a collection to a Kafka topic: each partition's items as record values, without keys, so the producer's
 * partitioner spreads them over the topic's partitions (their order is kept only within a Kafka partition). Made by
 * {@link KafkaTopics#sink}; immutable.
 *
 * <p>Each task writes with an idempotent producer and {@code acks=all}, returns how many records it wrote, and fails
 * if any record was not written. An avro topic takes Avro records, written with their own schemas, or maps, written
 * as records of the schema given by {@link #withRecordSchema}; schemas are registered under the topic's subject,
 * {@code <topic>-value}.
 */
public final class TopicSink implements Sink {
  private final Map<String, Object> connection;
  private final String topic;
  private final TopicFormat format;
  private final Schema recordSchema;

  TopicSink(Map<String, ?> connection, String topic, TopicFormat format) {
    this(TopicConnection.check(connection), TopicSource.requireTopic(topic), TopicSource.requireFormat(format),
        null);
  }

  private TopicSink(Map<String, Object> connection, String topic, TopicFormat format, Schema recordSchema) {
    this.connection = connection;
    this.topic = topic;
    this.format = format;
    this.recordSchema = recordSchema;
  }

  /**
   * This sink, writing map items as records of {@code schema} (field by field; a missing field takes its default; a
   * key without a field, or a value of another type, fails the task). Avro records are still written as they are.
   *
   * @throws IllegalArgumentException if the sink is not {@link TopicFormat#AVRO}, or the schema is not a record's
   */
  public TopicSink withRecordSchema(Schema schema) {
    if (format != TopicFormat.AVRO) {
      throw new IllegalArgumentException("a record schema is for avro topics; topic '" + topic + "' is written as "
          + format.label());
    }
    if (schema == null || schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("maps written to topic '" + topic + "' need a record schema, not "
          + (schema == null ? "null" : "a " + schema.getType().getName()));
    }
    return new TopicSink(connection, topic, format, schema);
  }

  public String topic() {
    return topic;
  }

  public TopicFormat format() {
    return format;
  }

  /** {@value TopicFunctions#WRITE}, or {@value TopicFunctions#WRITE_AVRO} with a record schema. */
  @Override
  public String function() {
    return recordSchema == null ? TopicFunctions.WRITE : TopicFunctions.WRITE_AVRO;
  }

  /** The connection, the topic, and the format, or the record schema's JSON: the same for every partition. */
  @Override
  public List<Object> args(int partition, int partitions) {
    return List.of(connection, topic, recordSchema == null ? format.label() : recordSchema.toString());
  }

  @Override
  public String toString() {
    return "TopicSink[" + topic + ", " + format.label()
        + (recordSchema == null ? "" : " of " + recordSchema.getFullName()) + "]";
  }
}
