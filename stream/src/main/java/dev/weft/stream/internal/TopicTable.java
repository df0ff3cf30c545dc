package dev.weft.stream.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/** The latest value of each key of a compacted topic, read from its beginning to its end as of the call. */
public final class TopicTable {
  private TopicTable() {}

  /**
   * @return values by key, in the order their latest value was written; a key whose latest record is a tombstone is
   *     absent
   * @throws TimeoutException when the end was not reached within {@code timeout}
   */
  public static Map<String, byte[]> read(Consumer<String, byte[]> consumer, String topic, Duration timeout) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
    Map<String, byte[]> table = new LinkedHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("topic '" + topic + "' was not read to its end within " + timeout.toMillis()
            + " ms");
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        apply(table, record);
      }
    }
    return table;
  }

  /** Applies one record: its value replaces the key's, a tombstone removes it. */
  static void apply(Map<String, byte[]> table, ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    table.remove(record.key());
    if (record.value() != null) {
      table.put(record.key(), record.value());
    }
  }
}
