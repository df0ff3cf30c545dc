package dev.weft.connectors.kafka;

import dev.weft.connectors.PartitionRead;
import dev.weft.connectors.Source;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A bounded read of a Kafka topic: the records of its partitions between offsets fixed when the source is planned.
 * Made by {@link KafkaTopics#source}; immutable, each {@code with} method returns a new source.
 *
 * <p>{@link #partitions()} looks the offsets up, with an admin client of the connection: each Kafka partition from its
 * first offset to its end offset then (the last stable offset, at the default {@code read_committed} isolation), so
 * that records written later are not read, and every task of the graph reads the same records whenever it runs. One
 * collection partition per Kafka partition, in partition order, or several per Kafka partition, in offset order, with
 * {@link #withMaxRecordsPerPartition}. A Kafka partition with no records still makes one collection partition, empty:
 * the collection's partitions follow the topic's, whatever the data.
 */
public final class TopicSource implements Source {
  /** No fixed offset: the partition's first or end offset, looked up when the source is planned. */
  private static final long LOOKED_UP = -1;

  private final Map<String, Object> connection;
  private final String topic;
  private final TopicFormat format;
  private final Integer partition;
  private final long from;
  private final long to;
  private final long maxRecordsPerPartition;

  TopicSource(Map<String, ?> connection, String topic, TopicFormat format) {
    this(TopicConnection.check(connection), requireTopic(topic), requireFormat(format), null, LOOKED_UP,
        LOOKED_UP, Long.MAX_VALUE);
  }

  private TopicSource(Map<String, Object> connection, String topic, TopicFormat format, Integer partition,
      long from, long to, long maxRecordsPerPartition) {
    this.connection = connection;
    this.topic = topic;
    this.format = format;
    this.partition = partition;
    this.from = from;
    this.to = to;
    this.maxRecordsPerPartition = maxRecordsPerPartition;
  }

  static String requireTopic(String topic) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("no topic named");
    }
    return topic;
  }

  static TopicFormat requireFormat(TopicFormat format) {
    if (format == null) {
      throw new IllegalArgumentException("no topic format (avro, json, string or bytes)");
    }
    return format;
  }

  /**
   * This source, reading only {@code partition} of the topic, from its first offset to its end offset when planned.
   *
   * @throws IllegalArgumentException for a negative partition; one the topic does not have is refused when planned
   */
  public TopicSource withPartition(int partition) {
    requirePartition(partition);
    return new TopicSource(connection, topic, format, partition, LOOKED_UP, LOOKED_UP, maxRecordsPerPartition);
  }

  /**
   * This source, reading only the records of {@code partition} from offset {@code from} (included) to {@code to}
   * (excluded). Planning fails if the partition no longer holds them all, or not yet.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to} and the partition is not negative
   */
  public TopicSource withRange(int partition, long from, long to) {
    requirePartition(partition);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("offsets " + from + "-" + to + " of topic '" + topic + "' partition "
          + partition + " are not a range (0 <= from <= to)");
    }
    return new TopicSource(connection, topic, format, partition, from, to, maxRecordsPerPartition);
  }

  private void requirePartition(int partition) {
    if (partition < 0) {
      throw new IllegalArgumentException("partition " + partition + " of topic '" + topic + "' is negative");
    }
  }

  /**
   * This source, with each Kafka partition split into collection partitions of at most {@code records} offsets, so
   * at most that many records (fewer where offsets hold no record: compacted away, transaction markers).
   *
   * @throws IllegalArgumentException if {@code records} is not positive
   */
  public TopicSource withMaxRecordsPerPartition(long records) {
    if (records < 1) {
      throw new IllegalArgumentException("a partition of topic '" + topic + "' must hold at least one record, not "
          + records);
    }
    return new TopicSource(connection, topic, format, partition, from, to, records);
  }

  public String topic() {
    return topic;
  }

  public TopicFormat format() {
    return format;
  }

  /** The connection, as it travels in the graph (checked, values as strings). */
  public Map<String, Object> connection() {
    return connection;
  }

  /**
   * Looks up the topic's partitions and offsets, and returns one read per range: calls of
   * {@value TopicFunctions#READ}.
   *
   * @throws IllegalArgumentException if the topic does not exist, has no such partition, or no longer or not yet
   *     holds a fixed range; or this JVM's local settings refuse the connection
   * @throws IllegalStateException if the cluster cannot be asked
   */
  @Override
  public List<PartitionRead> partitions() {
    ClientSettings settings = TopicConnection.resolve(connection);
    try (Admin admin = createAdmin(settings)) {
      List<TopicPartition> partitions = partitionsToRead(admin, settings);
      ListOffsetsOptions options = new ListOffsetsOptions(settings.isolation());
      Map<TopicPartition, Long> begins = offsets(admin, partitions, OffsetSpec.earliest(), options, settings);
      Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest(), options, settings);
      List<PartitionRead> reads = new ArrayList<>();
      for (TopicPartition topicPartition : partitions) {
        long begin = begins.get(topicPartition);
        long end = ends.get(topicPartition);
        if (from == LOOKED_UP) {
          split(topicPartition.partition(), begin, end, reads);
        } else {
          requireHeld(topicPartition.partition(), begin, end);
          split(topicPartition.partition(), from, to, reads);
        }
      }
      return reads;
    }
  }

  private Admin createAdmin(ClientSettings settings) {
    try {
      return Admin.create(settings.clients());
    } catch (KafkaException e) {
      throw new IllegalArgumentException("cannot connect to plan the read of topic '" + topic + "': "
          + e.getMessage(), e);
    }
  }

  private List<TopicPartition> partitionsToRead(Admin admin, ClientSettings settings) {
    TopicDescription description = await(admin.describeTopics(List.of(topic)).topicNameValues().get(topic),
        "describe", settings);
    List<TopicPartition> partitions = description.partitions().stream()
        .map(info -> new TopicPartition(topic, info.partition()))
        .sorted(Comparator.comparingInt(TopicPartition::partition))
        .toList();
    if (partition == null) {
      return partitions;
    }
    if (partition >= partitions.size()) {
      throw new IllegalArgumentException("topic '" + topic + "' has no partition " + partition + ": it has "
          + partitions.size() + " (0-" + (partitions.size() - 1) + ")");
    }
    return List.of(new TopicPartition(topic, partition));
  }

  private Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec,
      ListOffsetsOptions options, ClientSettings settings) {
    Map<TopicPartition, OffsetSpec> specs = partitions.stream()
        .collect(Collectors.toMap(Function.identity(), p -> spec));
    return await(admin.listOffsets(specs, options).all(), "look up the offsets of", settings).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
  }

  private void requireHeld(int partition, long begin, long end) {
    if (from < begin) {
      throw new IllegalArgumentException("topic '" + topic + "' partition " + partition + " no longer holds offsets "
          + from + "-" + to + ": it begins at offset " + begin + " (the records before were deleted)");
    }
    if (to > end) {
      throw new IllegalArgumentException("topic '" + topic + "' partition " + partition + " does not hold offsets "
          + from + "-" + to + " yet: it ends at offset " + end);
    }
  }

  /** One read per at most {@link #withMaxRecordsPerPartition} offsets of {@code [start, stop)}; one if it is empty. */
  private void split(int partition, long start, long stop, List<PartitionRead> reads) {
    long begin = start;
    do {
      long end = stop - begin <= maxRecordsPerPartition ? stop : begin + maxRecordsPerPartition;
      reads.add(new PartitionRead(TopicFunctions.READ, List.of(connection, topic, (long) partition, begin, end,
          format.label()), "kafka topic '" + topic + "' partition " + partition + " offsets " + begin + "-" + end
          + " (" + format.label() + ")"));
      begin = end;
    } while (begin < stop);
  }

  private <T> T await(KafkaFuture<T> future, String action, ClientSettings settings) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw new IllegalArgumentException("topic '" + topic + "' does not exist on "
            + settings.clients().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG), cause);
      }
      throw new IllegalStateException("cannot " + action + " topic '" + topic + "': " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to " + action + " topic '" + topic + "'", e);
    }
  }

  @Override
  public String toString() {
    return "TopicSource[" + topic + (partition == null ? "" : " partition " + partition)
        + (from == LOOKED_UP ? "" : " offsets " + from + "-" + to) + ", " + format.label() + "]";
  }
}
