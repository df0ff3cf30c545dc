package dev.weft.broker.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads task results by location. Locations of one partition are read in one pass, in offset order, skipping ahead
 * over stretches it does not need: a task with a hundred thousand inputs costs a few large fetches, not a hundred
 * thousand small ones.
 *
 * <p>One fetch at a time (a Kafka consumer is single-threaded); callers share it through the synchronized methods.
 */
public final class ResultFetcher implements AutoCloseable {
  /** Past this many unneeded records, seeking is cheaper than reading through them. */
  private static final long SKIP_AHEAD = 2_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final WireCodec codec;

  public ResultFetcher(Map<String, Object> clientProperties, String resultsTopic, WireCodec codec, String clientId) {
    this.consumer = KafkaClients.plainConsumer(clientProperties, clientId);
    this.topic = resultsTopic;
    this.codec = codec;
  }

  /**
   * The results at {@code refs}, with their values.
   *
   * @throws IllegalStateException if a result is no longer in the topic, is not there within {@code timeout}, or
   *     cannot be decoded
   */
  public synchronized Map<ResultRef, TaskResult> fetch(Collection<ResultRef> refs, Duration timeout) {
    Map<ResultRef, TaskResult> found = new HashMap<>();
    Map<TopicPartition, NavigableSet<Long>> wanted = new HashMap<>();
    for (ResultRef ref : refs) {
      wanted.computeIfAbsent(new TopicPartition(topic, ref.partition()), p -> new TreeSet<>()).add(ref.offset());
    }
    if (wanted.isEmpty()) {
      return found;
    }
    consumer.assign(wanted.keySet());
    try {
      wanted.forEach((partition, offsets) -> consumer.seek(partition, offsets.first()));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!wanted.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("results not found in " + topic + " within " + timeout + ": "
              + describe(wanted));
        }
        Iterable<ConsumerRecord<String, byte[]>> records;
        try {
          records = consumer.poll(Duration.ofMillis(100));
        } catch (OffsetOutOfRangeException e) {
          throw new IllegalStateException("results at " + e.offsetOutOfRangePartitions()
              + " are no longer in " + topic + " (deleted by retention?)", e);
        }
        for (ConsumerRecord<String, byte[]> record : records) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          NavigableSet<Long> offsets = wanted.get(partition);
          if (offsets != null && offsets.remove(record.offset())) {
            found.put(new ResultRef(record.partition(), record.offset()),
                codec.decodeResult(topic, record.value(), true));
          }
        }
        List<TopicPartition> done = new ArrayList<>();
        wanted.forEach((partition, offsets) -> {
          long position = consumer.position(partition);
          if (offsets.isEmpty()) {
            done.add(partition);
          } else if (position > offsets.first()) {
            // Read past it without finding it: no record there (a control record, or a location nobody wrote).
            throw new IllegalStateException("no result at " + partition.partition() + "@" + offsets.first() + " of "
                + topic);
          } else if (offsets.first() - position > SKIP_AHEAD) {
            consumer.seek(partition, offsets.first());
          }
        });
        done.forEach(wanted::remove);
        consumer.pause(done);
      }
    } finally {
      // Whatever went wrong, the next fetch starts clean: assign() keeps the paused state of partitions that stay.
      consumer.resume(consumer.paused());
      consumer.assign(List.of());
    }
    return found;
  }

  /** The value of one result. */
  public Object value(ResultRef ref, Duration timeout) {
    return fetch(List.of(ref), timeout).get(ref).value();
  }

  private static String describe(Map<TopicPartition, NavigableSet<Long>> wanted) {
    StringBuilder text = new StringBuilder();
    wanted.forEach((partition, offsets) -> text.append(partition.partition()).append('@').append(offsets.first())
        .append(offsets.size() > 1 ? " and " + (offsets.size() - 1) + " more; " : "; "));
    return text.toString();
  }

  @Override
  public synchronized void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
