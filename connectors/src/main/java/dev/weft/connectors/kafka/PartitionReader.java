package dev.weft.connectors.kafka;

import dev.weft.function.TaskContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The body of {@value TopicFunctions#READ}: the values of one partition's records in an offset range, read with a
 * consumer of its own that is assigned the partition (no group, nothing committed).
 *
 * <p>The read ends at the range's end offset, so records written after the range was planned are not read. It fails,
 * naming the topic, partition and offset, rather than return fewer records than the range holds: when the range's
 * first records were deleted since it was planned (retention, a delete-records request), when no records arrive for
 * {@value TopicConnection#READ_TIMEOUT_MS_CONFIG}, and when the values exceed
 * {@value TopicConnection#READ_MAX_BYTES_CONFIG} or what the scheduler can carry back.
 */
final class PartitionReader {
  /** One poll's wait: short, so that the read's own timeout is checked often. */
  private static final Duration POLL = Duration.ofMillis(200);

  private final String topic;
  private final TopicPartition partition;
  private final long from;
  private final long to;
  private final ClientSettings settings;
  private final ValueDecoder decoder;

  private PartitionReader(String topic, int partition, long from, long to, ClientSettings settings,
      TopicFormat format) {
    this.topic = topic;
    this.partition = new TopicPartition(topic, partition);
    this.from = from;
    this.to = to;
    this.settings = settings;
    this.decoder = new ValueDecoder(format, topic, settings);
  }

  /**
   * The values of the records of {@code partition} of {@code topic} from offset {@code from} (included) to {@code to}
   * (excluded).
   *
   * @throws IllegalArgumentException if an argument is out of bounds, the connection is refused, or a value is not of
   *     the format
   * @throws IllegalStateException if the range cannot be read whole
   */
  static List<Object> read(Map<String, ?> connection, String topic, long partition, long from, long to,
      String format) {
    TopicFormat topicFormat = TopicFormat.of(format);
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException(TopicFunctions.READ + ": no topic");
    }
    if (partition < 0 || partition > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(TopicFunctions.READ + ": partition " + partition + " of topic '" + topic
          + "' is not a partition number");
    }
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(TopicFunctions.READ + ": offsets " + from + "-" + to + " of topic '"
          + topic + "' partition " + partition + " are not a range (0 <= from <= to)");
    }
    ClientSettings settings = TopicConnection.resolve(connection);
    if (from == to) {
      return new ArrayList<>(); // an empty partition: nothing to connect for
    }
    return new PartitionReader(topic, (int) partition, from, to, settings, topicFormat).read();
  }

  private List<Object> read() {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, from);
      return readFrom(consumer);
    } catch (InterruptException e) {
      throw e;
    } catch (KafkaException e) {
      // The consumer's own failure (its settings, authentication, authorization): say what it was reading.
      throw new IllegalStateException(range() + " cannot be read: " + e.getMessage(), e);
    }
  }

  private List<Object> readFrom(KafkaConsumer<byte[], byte[]> consumer) {
    List<Object> items = new ArrayList<>((int) Math.min(to - from, 10_000));
    long position = from;
    long bytes = 0;
    boolean first = true;
    long timeoutNanos = Duration.ofMillis(settings.readTimeoutMs()).toNanos();
    long lastProgress = System.nanoTime();
    while (position < to) {
      ConsumerRecords<byte[], byte[]> records;
      try {
        records = consumer.poll(POLL);
      } catch (OffsetOutOfRangeException e) {
        throw outOfRange(consumer, e.offsetOutOfRangePartitions().getOrDefault(partition, position), e);
      }
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (record.offset() >= to) {
          break;
        }
        if (first && record.offset() > from) {
          requireStartKept(consumer, record.offset());
        }
        first = false;
        bytes += Math.max(0, record.serializedValueSize());
        if (bytes > settings.readMaxBytes()) {
          throw new IllegalStateException(range() + " holds more than " + settings.readMaxBytes() + " bytes of "
              + "values (" + TopicConnection.READ_MAX_BYTES_CONFIG + "), at offset " + record.offset() + ": read it "
              + "in smaller ranges (KafkaTopics.source(...).withMaxRecordsPerPartition(n)) or raise the limit");
        }
        items.add(decoder.decode(record.value(), partition.partition(), record.offset()));
      }
      long next = consumer.position(partition);
      if (next > position) {
        position = next;
        lastProgress = System.nanoTime();
        refuseIfNotCarried(bytes);
      } else if (System.nanoTime() - lastProgress > timeoutNanos) {
        throw stalled(consumer, position);
      }
    }
    return items;
  }

  /**
   * Offsets before the first record returned hold no record to read: compacted away, or transaction markers. Or they
   * were deleted since the range was planned, and the range can no longer be read whole.
   */
  private void requireStartKept(KafkaConsumer<byte[], byte[]> consumer, long firstReturned) {
    long begin = consumer.beginningOffsets(List.of(partition), timeout()).get(partition);
    if (begin > from) {
      throw new IllegalStateException(range() + " can no longer be read whole: its records from offset " + from
          + " are gone (the partition now begins at offset " + begin + ", the first record read was at offset "
          + firstReturned + "): they were deleted, by retention or a delete-records request, after the read was "
          + "planned");
    }
  }

  private IllegalStateException outOfRange(KafkaConsumer<byte[], byte[]> consumer, long offset,
      OffsetOutOfRangeException cause) {
    long begin;
    long end;
    try {
      begin = consumer.beginningOffsets(List.of(partition), timeout()).get(partition);
      end = consumer.endOffsets(List.of(partition), timeout()).get(partition);
    } catch (KafkaException e) {
      IllegalStateException failure = new IllegalStateException(range() + " cannot be read: offset " + offset
          + " is out of the partition's range, whose bounds could not be looked up: " + e.getMessage(), cause);
      failure.addSuppressed(e);
      return failure;
    }
    if (offset < begin) {
      return new IllegalStateException(range() + " can no longer be read whole: its records from offset " + offset
          + " are gone (the partition now begins at offset " + begin + "): they were deleted, by retention or a "
          + "delete-records request, after the read was planned", cause);
    }
    return new IllegalStateException(range() + " cannot be read: offset " + offset + " is past the partition's end, "
        + "offset " + end + " (the partition was truncated, or the range was planned on another cluster)", cause);
  }

  private IllegalStateException stalled(KafkaConsumer<byte[], byte[]> consumer, long position) {
    String stalled = range() + " cannot be read: no records came for " + settings.readTimeoutMs() + " ms ("
        + TopicConnection.READ_TIMEOUT_MS_CONFIG + ") at offset " + position;
    try {
      long end = consumer.endOffsets(List.of(partition), timeout()).get(partition);
      return new IllegalStateException(stalled + "; the partition ends at offset " + end);
    } catch (KafkaException e) {
      IllegalStateException failure = new IllegalStateException(stalled + "; its end offset cannot be looked up "
          + "either: " + e.getMessage());
      failure.addSuppressed(e);
      return failure;
    }
  }

  /** A result the scheduler cannot carry back is refused as it grows, not after the whole range was read. */
  private void refuseIfNotCarried(long bytes) {
    try {
      TaskContext.refuseResultsLargerThanCarried(TopicFunctions.READ + " of " + range(), bytes, bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + ": read it in smaller ranges "
          + "(KafkaTopics.source(...).withMaxRecordsPerPartition(n))", e);
    }
  }

  private Duration timeout() {
    return Duration.ofMillis(settings.readTimeoutMs());
  }

  private String range() {
    return "topic '" + topic + "' partition " + partition.partition() + " offsets " + from + "-" + to;
  }
}
