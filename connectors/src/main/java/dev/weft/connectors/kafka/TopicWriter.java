package dev.weft.connectors.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The body of {@value TopicFunctions#WRITE} and {@value TopicFunctions#WRITE_AVRO}: one partition's items written to
 * a topic, as record values without keys, by an idempotent producer with {@code acks=all}.
 *
 * <p>Every item is encoded before the first is sent, so that an item that cannot be written fails the task with
 * nothing written. The task returns only when every record is acknowledged, and fails if any was not: a write is
 * never short without saying so. A task run again after a failure writes its items again (Kafka has no exactly-once
 * for a write that is retried from outside the producer).
 */
final class TopicWriter {
  private TopicWriter() {}

  /**
   * Writes {@code items} to {@code topic}.
   *
   * @param recordSchema the Avro schema (JSON) that map items are written as, or null
   * @return how many records were written: every item's
   * @throws IllegalArgumentException if the connection is refused or an item has no form in the format
   * @throws IllegalStateException if a record was not written
   */
  static long write(Map<String, ?> connection, String topic, TopicFormat format, String recordSchema,
      List<?> items) {
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("no topic to write to");
    }
    if (items == null) {
      throw new IllegalArgumentException("no items to write to topic '" + topic + "': the partition is null");
    }
    ClientSettings settings = TopicConnection.resolve(connection);
    Schema schema = recordSchema == null ? null : parseRecordSchema(recordSchema, topic);
    if (items.isEmpty()) {
      return 0L;
    }
    ValueEncoder encoder = new ValueEncoder(format, topic, settings, schema);
    List<byte[]> values = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      values.add(encoder.encode(items.get(i), i));
    }
    send(settings, topic, values);
    return values.size();
  }

  /**
   * The record schema a sink writes maps as.
   *
   * @throws IllegalArgumentException if it does not parse or is not a record schema
   */
  static Schema parseRecordSchema(String json, String topic) {
    Schema schema;
    try {
      schema = new Schema.Parser().parse(json);
    } catch (SchemaParseException e) {
      throw new IllegalArgumentException("the Avro schema for topic '" + topic + "' does not parse: "
          + e.getMessage(), e);
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("the Avro schema for topic '" + topic + "' must be a record schema, for "
          + "maps are written as records of it; it is a " + schema.getType().getName());
    }
    return schema;
  }

  private static void send(ClientSettings settings, String topic, List<byte[]> values) {
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    AtomicInteger failures = new AtomicInteger();
    Callback callback = (metadata, exception) -> {
      if (exception != null) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, exception);
      }
    };
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer(),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] value : values) {
        // A failure known at once (the topic not in the metadata after max.block.ms) would be met again by each
        // record after it: stop at the first.
        if (firstFailure.get() != null) {
          break;
        }
        producer.send(new ProducerRecord<>(topic, null, value), callback);
        sent++;
      }
      producer.flush(); // every record acknowledged or failed: closing then waits for nothing
    } catch (InterruptException e) {
      throw e;
    } catch (KafkaException e) {
      // Not a record's failure, which the callback takes: the producer's own (its settings, authentication).
      throw new IllegalStateException("cannot write to topic '" + topic + "' (" + sent + " of the " + values.size()
          + " records were sent): " + e.getMessage(), e);
    }
    if (firstFailure.get() != null) {
      Exception cause = firstFailure.get();
      int unwritten = failures.get() + values.size() - sent;
      throw new IllegalStateException(unwritten + " of the " + values.size() + " records were not written to topic '"
          + topic + "' (the others were): " + cause.getMessage(), cause);
    }
  }
}
