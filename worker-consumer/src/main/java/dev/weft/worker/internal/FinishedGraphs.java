package dev.weft.worker.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.PollLoop;
import dev.weft.broker.protocol.WireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graphs that ended (cancelled, failed, rejected, completed), as the events topic says: a worker skips tasks of
 * such a graph instead of running them. That is how a cancel stops tasks already emitted, and how tasks left over from
 * a failed graph stop costing work. Reads the events of the last hour at start, then follows them, on a thread of its
 * own ({@link PollLoop}: it goes on after Kafka was away; should it stop for good, tasks of ended graphs run).
 */
public final class FinishedGraphs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedGraphs.class);
  private static final int REMEMBERED = 100_000;
  /**
   * How long one metadata call of a turn may block: short, as {@link PollLoop} asks, so that a close is seen soon while
   * Kafka is away; a call that times out is taken again after the loop's back-off.
   */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final WireCodec codec;
  private final Set<String> ended = Collections.synchronizedSet(Collections.newSetFromMap(
      new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      }));
  private final PollLoop loop;
  private boolean positioned;

  /** Follows {@code eventsTopic} with {@code consumer}, a plain one (no group), which it closes when it stops. */
  public FinishedGraphs(Consumer<String, byte[]> consumer, String eventsTopic, WireCodec codec, String name) {
    this.consumer = consumer;
    this.topic = eventsTopic;
    this.codec = codec;
    this.loop = new PollLoop(name + "-events", LOG, new PollLoop.Body() {
      @Override
      public void turn() {
        follow();
      }

      @Override
      public void finish() {
        consumer.close(Duration.ofSeconds(2));
      }
    }).daemon().start();
  }

  public boolean hasEnded(String graphId) {
    return ended.contains(graphId);
  }

  /** Reads the events of the last hour first, then those that follow. */
  private void follow() {
    if (!positioned) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, CALL_TIMEOUT)) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> hourAgo = new HashMap<>();
      partitions.forEach(p -> hourAgo.put(p, System.currentTimeMillis() - 3_600_000L));
      Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(hourAgo, CALL_TIMEOUT);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, CALL_TIMEOUT);
      for (TopicPartition partition : partitions) {
        OffsetAndTimestamp start = starts.get(partition);
        consumer.seek(partition, start != null ? start.offset() : ends.get(partition));
      }
      positioned = true;
    }
    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      try {
        GraphEvent event = codec.decodeEvent(topic, record.value());
        if (event.type().isFinal()) {
          ended.add(event.graphId());
        }
      } catch (RuntimeException e) {
        LOG.debug("skipping an undecodable event at {}-{}@{}: {}", record.topic(), record.partition(),
            record.offset(), e.getMessage());
      }
    }
  }

  /** Stops following: within one poll (200 ms). */
  @Override
  public void close() {
    loop.close(Duration.ofSeconds(5));
  }
}
