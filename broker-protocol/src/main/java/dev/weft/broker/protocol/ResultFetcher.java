package dev.weft.broker.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
  /** A read still waiting after this long asks where its partitions end. */
  private static final long CHECK_ENDS_AFTER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final WireCodec codec;

  public ResultFetcher(Map<String, Object> clientProperties, String resultsTopic, WireCodec codec, String clientId) {
    this(KafkaClients.plainConsumer(withShortFetchWait(clientProperties), clientId), resultsTopic, codec);
  }

  /**
   * A fetch waits at most 5 ms for data: a read asks only for records that are there, but the consumer sends its next
   * fetch before {@code poll} returns, and the next read (of other partitions, or offsets) waits for that one's answer
   * first, which the broker holds for {@code fetch.max.wait.ms} when nothing new comes. Measured: with 100 ms, a client
   * that reads the outputs of many small graphs one after another read about 12 a second.
   */
  private static Map<String, Object> withShortFetchWait(Map<String, Object> clientProperties) {
    Map<String, Object> properties = new HashMap<>(clientProperties);
    properties.putIfAbsent(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    return properties;
  }

  /** Reads with {@code consumer}, a plain one (no group), and closes it in {@link #close()}. */
  public ResultFetcher(Consumer<String, byte[]> consumer, String resultsTopic, WireCodec codec) {
    this.consumer = consumer;
    this.topic = resultsTopic;
    this.codec = codec;
  }

  /**
   * The results at {@code refs}, with their values.
   *
   * @throws ResultsUnavailableException if Kafka did not give them within {@code timeout}, though they may be there:
   *     the caller may try again
   * @throws IllegalStateException if a result is not there and never will be (a partition the topic does not have, an
   *     offset past its end, a record deleted by retention), or cannot be decoded
   */
  public Map<ResultRef, TaskResult> fetch(Collection<ResultRef> refs, Duration timeout) {
    return fetch(refs, timeout, null);
  }

  /**
   * The results at {@code refs}, with their values, as {@link #fetch(Collection, Duration)}; {@code sizes}, unless
   * null, is given the encoded size of each record read (what a worker reports as a task's bytes in).
   */
  public synchronized Map<ResultRef, TaskResult> fetch(Collection<ResultRef> refs, Duration timeout,
      Map<ResultRef, Long> sizes) {
    Map<ResultRef, TaskResult> found = new HashMap<>();
    Map<TopicPartition, NavigableSet<Long>> wanted = new HashMap<>();
    for (ResultRef ref : refs) {
      wanted.computeIfAbsent(new TopicPartition(topic, ref.partition()), p -> new TreeSet<>()).add(ref.offset());
    }
    if (wanted.isEmpty()) {
      return found;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    int partitions;
    try {
      partitions = consumer.partitionsFor(topic, timeout).size();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new ResultsUnavailableException("the partitions of " + topic + " are not known within " + timeout, e);
    }
    for (Map.Entry<TopicPartition, NavigableSet<Long>> entry : wanted.entrySet()) {
      int partition = entry.getKey().partition();
      if (partition < 0 || partition >= partitions) {
        // A location no scheduler gave: waiting for its metadata would stall every read behind it.
        throw new IllegalStateException("no result at " + partition + "@" + entry.getValue().first() + ": " + topic
            + " has " + partitions + " partitions");
      }
    }
    consumer.assign(wanted.keySet());
    try {
      wanted.forEach((partition, offsets) -> consumer.seek(partition, offsets.first()));
      long checkEndsAt = System.nanoTime() + CHECK_ENDS_AFTER_NANOS;
      while (!wanted.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new ResultsUnavailableException("results not found in " + topic + " within " + timeout + ": "
              + describe(wanted), null);
        }
        if (System.nanoTime() > checkEndsAt) {
          checkEndsAt = Long.MAX_VALUE;
          refuseLocationsPastTheEnd(wanted);
        }
        Iterable<ConsumerRecord<String, byte[]>> records;
        try {
          records = consumer.poll(Duration.ofMillis(100));
        } catch (OffsetOutOfRangeException e) {
          throw new IllegalStateException("results at " + e.offsetOutOfRangePartitions()
              + " are not in " + topic + ": deleted by retention, or past the end of their partition", e);
        }
        for (ConsumerRecord<String, byte[]> record : records) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          NavigableSet<Long> offsets = wanted.get(partition);
          if (offsets != null && offsets.remove(record.offset())) {
            ResultRef ref = new ResultRef(record.partition(), record.offset());
            found.put(ref, codec.decodeResult(topic, record.value(), true));
            if (sizes != null) {
              sizes.put(ref, (long) record.value().length);
            }
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

  /**
   * Fails at once for a location past the end of its partition, which no wait can fill (a result that has been
   * located was written first). Asked only when a read takes long, so that a fast one costs no extra round trip.
   */
  private void refuseLocationsPastTheEnd(Map<TopicPartition, NavigableSet<Long>> wanted) {
    Map<TopicPartition, Long> ends;
    try {
      ends = consumer.endOffsets(wanted.keySet(), Duration.ofSeconds(5));
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return; // Kafka is slow or away: the deadline decides
    }
    wanted.forEach((partition, offsets) -> {
      Long end = ends.get(partition);
      if (end != null && offsets.last() >= end) {
        throw new IllegalStateException("no result at " + partition.partition() + "@" + offsets.last() + " of " + topic
            + ": the partition ends at " + end);
      }
    });
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
