package dev.weft.stream.internal;

import dev.weft.stream.InstanceStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's counters on this instance, published as an {@link InstanceStatus} to the status topic every interval.
 * Written by the job's runner thread only.
 */
final class JobMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(JobMetrics.class);
  /** Latencies kept per interval: enough for a p99, bounded whatever the rate. */
  private static final int MAX_SAMPLES = 20_000;

  private final String job;
  private final String instance;
  private final String topic;
  private final Producer<byte[], byte[]> statusProducer;
  private final long intervalNanos;
  private long recordsIn;
  private long recordsOut;
  private long deadLetters;
  private long intervalIn;
  private long intervalOut;
  private long[] latencies = new long[1024];
  private int latencyCount;
  private long seen;
  private long intervalStart = System.nanoTime();
  private Set<TopicPartition> assigned = Set.of();
  private volatile String error;

  JobMetrics(String job, String instance, String topic, Producer<byte[], byte[]> statusProducer, long intervalMs) {
    this.job = job;
    this.instance = instance;
    this.topic = topic;
    this.statusProducer = statusProducer;
    this.intervalNanos = intervalMs * 1_000_000L;
  }

  void assigned(Set<TopicPartition> partitions) {
    assigned = partitions;
  }

  void recordsIn(int count) {
    recordsIn += count;
    intervalIn += count;
  }

  void committed(int outputs, int deadLetterCount) {
    recordsOut += outputs;
    intervalOut += outputs;
    deadLetters += deadLetterCount;
  }

  /** One record's input timestamp to commit; a reservoir keeps the interval's sample bounded. */
  void latency(long millis) {
    seen++;
    if (latencyCount < MAX_SAMPLES) {
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[latencyCount++] = millis;
    } else {
      long slot = java.util.concurrent.ThreadLocalRandom.current().nextLong(seen);
      if (slot < MAX_SAMPLES) {
        latencies[(int) slot] = millis;
      }
    }
  }

  void failed(Throwable cause) {
    error = cause.toString();
  }

  /** Publishes the status when an interval has passed. */
  void maybePublish(Consumer<?, ?> consumer, long pending) {
    long now = System.nanoTime();
    if (now - intervalStart < intervalNanos) {
      return;
    }
    double seconds = (now - intervalStart) / 1e9;
    Map<String, Long> lag = new LinkedHashMap<>();
    List<String> partitions = new ArrayList<>();
    for (TopicPartition partition : assigned) {
      partitions.add(partition.toString());
      OptionalLong behind = consumer.currentLag(partition);
      if (behind.isPresent()) {
        lag.put(partition.toString(), behind.getAsLong());
      }
    }
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    InstanceStatus status = new InstanceStatus(job, instance, partitions, recordsIn, recordsOut, deadLetters, pending,
        intervalIn / seconds, intervalOut / seconds, lag, percentile(sorted, 0.50), percentile(sorted, 0.99),
        System.currentTimeMillis(), error);
    publish(status);
    intervalStart = now;
    intervalIn = 0;
    intervalOut = 0;
    latencyCount = 0;
    seen = 0;
  }

  void publish(InstanceStatus status) {
    statusProducer.send(new ProducerRecord<>(topic, (job + "/" + instance).getBytes(StandardCharsets.UTF_8),
        status.toJson().getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
          if (e != null) {
            LOG.debug("job '{}': a status was not published: {}", job, e.toString());
          }
        });
  }

  /** Removes this instance's status: it no longer runs the job. */
  void retire() {
    statusProducer.send(new ProducerRecord<>(topic, (job + "/" + instance).getBytes(StandardCharsets.UTF_8), null));
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }
}
