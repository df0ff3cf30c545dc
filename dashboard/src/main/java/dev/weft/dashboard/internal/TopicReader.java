package dev.weft.dashboard.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.RegistryUnavailableException;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WorkerReport;
import dev.weft.value.MalformedValueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The view's reader of Weft's topics, on a thread of its own: the events and graphs topics from the look-back on, the
 * workers topic from the task stream's window on, and the newest dead letters. One consumer, assigned every partition
 * (no group: it commits nothing and takes nothing from anyone), which looks for new topics and partitions every few
 * seconds. It is caught up once it has read to the ends the topics had when it first found them.
 */
final class TopicReader implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
  private static final long DISCOVERY_INTERVAL_MS = 5_000;
  private static final Duration POLL = Duration.ofMillis(200);
  /** The pause after an error of Kafka's: one that recurs (a topic not authorized) must not spin a core. */
  static final long ERROR_PAUSE_MS = 1_000;

  private final ClusterModel model;
  private final WireCodec codec;
  private final Topics topics;
  private final long lookbackMs;
  private final Consumer<String, Object> consumer;
  private final LongSupplier clock;
  private final Set<TopicPartition> assigned = new HashSet<>();
  /** Where each partition found at the start ended then; emptied as the reader passes those ends. */
  private Map<TopicPartition, Long> startEnds;
  private long nextDiscovery;
  /** The last error logged, until a turn passes without one: each distinct error is logged once, not every second. */
  private String lastError;
  private volatile boolean closing;

  TopicReader(Map<String, Object> clientProperties, String clientId, Topics topics, WireCodec codec,
      ClusterModel model, long lookbackMs, LongSupplier clock) {
    this(consumer(clientProperties, clientId, topics), topics, codec, model, lookbackMs, clock);
  }

  /** A reader of {@code consumer}'s records (a test's mock consumer). */
  TopicReader(Consumer<String, Object> consumer, Topics topics, WireCodec codec, ClusterModel model, long lookbackMs,
      LongSupplier clock) {
    this.model = model;
    this.codec = codec;
    this.topics = topics;
    this.lookbackMs = lookbackMs;
    this.clock = clock;
    this.consumer = consumer;
  }

  private static Consumer<String, Object> consumer(Map<String, Object> clientProperties, String clientId,
      Topics topics) {
    Map<String, Object> properties = new HashMap<>(clientProperties);
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return new KafkaConsumer<>(properties, new StringDeserializer(), new GraphRecordPeek(topics.graphs()));
  }

  @Override
  public void run() {
    try {
      while (!closing) {
        try {
          turn();
          lastError = null;
        } catch (WakeupException | InterruptException e) {
          return;
        } catch (KafkaException e) {
          if (closing) {
            return;
          }
          String error = e.toString();
          model.problem("topics", "reading Weft's topics: " + error);
          if (!error.equals(lastError)) {
            LOG.warn("the dashboard cannot read Weft's topics (it tries again every second): {}", error);
            lastError = error;
          }
          pause(ERROR_PAUSE_MS); // an error that recurs (a topic not authorized) is not retried in a loop
        }
      }
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void turn() {
    if (clock.getAsLong() >= nextDiscovery) {
      discover();
      nextDiscovery = clock.getAsLong() + DISCOVERY_INTERVAL_MS;
    }
    if (assigned.isEmpty()) {
      pause(POLL.toMillis()); // no topic yet: Weft's topics do not exist (no scheduler ever ran)
    } else {
      Map<TopicPartition, Long> again = new HashMap<>();
      for (ConsumerRecord<String, Object> record : consumer.poll(POLL)) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (!again.isEmpty() || !handle(record)) {
          again.putIfAbsent(partition, record.offset()); // the registry cannot be asked now: read these later
        }
      }
      if (again.isEmpty()) {
        model.problem("registry", null);
      } else {
        again.forEach(consumer::seek);
        pause(1_000); // the registry is away: try again in a second, not in a loop
      }
    }
    if (startEnds != null && !startEnds.isEmpty()) {
      startEnds.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
      if (startEnds.isEmpty()) {
        model.topicsCaughtUp();
      }
    }
  }

  /** Assigns the partitions of Weft's topics not assigned yet, each from where the view starts reading it. */
  private void discover() {
    Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(10));
    List<TopicPartition> found = new ArrayList<>();
    for (String topic : List.of(topics.events(), topics.graphs(), topics.workers(), topics.deadLetters())) {
      for (PartitionInfo info : existing.getOrDefault(topic, List.of())) {
        TopicPartition partition = new TopicPartition(topic, info.partition());
        if (!assigned.contains(partition)) {
          found.add(partition);
        }
      }
    }
    if (!found.isEmpty()) {
      assigned.addAll(found);
      consumer.assign(assigned);
      seekStarts(found);
    }
    if (startEnds == null) {
      startEnds = new HashMap<>(consumer.endOffsets(found, Duration.ofSeconds(10)));
      startEnds.values().removeIf(end -> end == 0);
      if (startEnds.isEmpty()) {
        model.topicsCaughtUp();
      }
    }
    model.problem("topics", null);
  }

  /**
   * Events and graphs from the look-back on; worker reports from the task stream's window on (a worker's state is in its
   * last report, and it reports twice a second); the newest dead letters.
   */
  private void seekStarts(List<TopicPartition> partitions) {
    long now = clock.getAsLong();
    Map<TopicPartition, Long> times = new HashMap<>();
    List<TopicPartition> deadLetters = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      if (partition.topic().equals(topics.deadLetters())) {
        deadLetters.add(partition);
      } else {
        long back = partition.topic().equals(topics.workers()) ? ClusterModel.SPAN_WINDOW_MS : lookbackMs;
        times.put(partition, Math.max(0, now - back));
      }
    }
    Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times, Duration.ofSeconds(10));
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
    times.keySet().forEach(partition -> {
      OffsetAndTimestamp offset = offsets.get(partition);
      consumer.seek(partition, offset != null ? offset.offset() : ends.get(partition));
    });
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(deadLetters, Duration.ofSeconds(10));
    for (TopicPartition partition : deadLetters) {
      consumer.seek(partition, Math.max(beginnings.get(partition),
          ends.get(partition) - ClusterModel.MAX_DEAD_LETTERS));
    }
  }

  /** Hands one record to the model; false when it must be read again later. */
  private boolean handle(ConsumerRecord<String, Object> record) {
    String topic = record.topic();
    try {
      if (topic.equals(topics.events())) {
        GraphEvent event = codec.decodeEvent(topic, (byte[]) record.value());
        model.onEvent(event, record.partition(), record.timestamp());
      } else if (topic.equals(topics.graphs())) {
        if (record.value() == GraphRecordPeek.Kind.SUBMIT && record.key() != null) {
          model.onSubmission(record.key(), record.partition(), record.offset(), record.timestamp());
        }
      } else if (topic.equals(topics.workers())) {
        WorkerReport report = codec.decodeWorkerReport(topic, (byte[]) record.value());
        model.onWorkerReport(report);
      } else if (topic.equals(topics.deadLetters())) {
        model.onDeadLetter(record.partition(), record.offset(), record.timestamp(), record.key(),
            (byte[]) record.value(), record.headers());
      }
      return true;
    } catch (MalformedValueException e) {
      // Put aside by whoever else reads it (the scheduler, the workers); the view passes over it.
      LOG.debug("the dashboard passes over {}-{}@{}: {}", topic, record.partition(), record.offset(), e.getMessage());
      return true;
    } catch (RegistryUnavailableException e) {
      model.problem("registry", e.getMessage());
      return false;
    }
  }

  /** Waits {@code millis}, or until closed. */
  private synchronized void pause(long millis) {
    try {
      wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }

  void close() {
    closing = true;
    synchronized (this) {
      notifyAll();
    }
    consumer.wakeup();
  }
}
