package dev.weft.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Load and measurement for {@link StreamBenchmark}, on plain Kafka clients, the same for every {@link Pipeline}: it
 * writes JSON input records (key: the id as a string; value: the JSON text) and reads the output topic as a
 * {@code read_committed} consumer, so an output counts when it is visible after its transaction committed.
 *
 * <p>Latency is measured from the input record's timestamp to the moment the reading consumer got the output, so a
 * pipeline must give each output its input's timestamp (Kafka Streams does by default).
 */
public final class StreamLoad {
  /** The enrich step's countries and one it does not know, so that its default rate is used too. */
  private static final String[] COUNTRIES = {"FR", "DE", "GB", "US", "JP", "BR", "IN", "NG", "XX"};

  private StreamLoad() {}

  /**
   * Creates the topics, with {@code partitions} partitions each, and returns once every partition's leader serves
   * requests. Producing at once to a partition the broker has not opened yet fails the first request with
   * NOT_LEADER_OR_FOLLOWER; an idempotent producer's next request, already in flight, is then appended first, and the
   * retried first one is refused as out of order until it expires: its records are lost (KAFKA-15591).
   */
  public static void createTopics(String bootstrap, int partitions, String... topics) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(Stream.of(topics).map(name -> new NewTopic(name, partitions, (short) 1)).toList())
          .all().get();
      // Only a partition's leader replica answers ListOffsets; until the broker has applied the new topic, it says
      // the topic is unknown or that it is not the leader.
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (String topic : topics) {
        for (int partition = 0; partition < partitions; partition++) {
          ends.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          admin.listOffsets(ends).all().get();
          return;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
            throw e;
          }
          TimeUnit.MILLISECONDS.sleep(10);
        }
      }
    }
  }

  /** Input record {@code id}: amounts from 0.00 to 199.99 spread over the ids, so that some scores are gold. */
  public static String inputJson(long id, long timestampMillis) {
    double amount = Math.floorMod(id * 7919, 20_000) / 100.0;
    return "{\"id\": " + id + ", \"name\": \"user-" + id + "\", \"amount\": " + amount + ", \"country\": \""
        + COUNTRIES[(int) Math.floorMod(id, COUNTRIES.length)] + "\", \"ts\": " + timestampMillis + "}";
  }

  /** Writes input records 0 to {@code count - 1}, as fast as the producer goes; returns once all are acknowledged. */
  public static void produce(String bootstrap, String topic, long count) {
    produce(bootstrap, topic, 0, count);
  }

  /** Writes input records {@code firstId} to {@code firstId + count - 1}; see {@link #produce(String, String, long)}.
   */
  public static void produce(String bootstrap, String topic, long firstId, long count) {
    // Batching only makes the preload faster: its time is not measured.
    try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10))) {
      AtomicReference<Exception> failure = new AtomicReference<>();
      for (long id = firstId; id < firstId + count && failure.get() == null; id++) {
        producer.send(new ProducerRecord<>(topic, Long.toString(id), inputJson(id, System.currentTimeMillis())),
            (metadata, e) -> failure.compareAndSet(null, e));
      }
      producer.flush();
      if (failure.get() != null) {
        throw new IllegalStateException("could not write the input records to " + topic, failure.get());
      }
    }
  }

  /**
   * Writes input records from {@code firstId} on at a steady {@code ratePerSecond} for {@code duration}, each with its
   * send time as its timestamp, on a thread of its own (not batched: {@code linger.ms} 0). The future completes with
   * the number of records written, once all are acknowledged.
   */
  public static CompletableFuture<Long> paced(String bootstrap, String topic, long firstId, int ratePerSecond,
      Duration duration) {
    return onNewThread("bench-paced-load", () -> {
      long count = duration.toNanos() * ratePerSecond / TimeUnit.SECONDS.toNanos(1);
      double intervalNanos = TimeUnit.SECONDS.toNanos(1) / (double) ratePerSecond;
      AtomicReference<Exception> failure = new AtomicReference<>();
      try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
        long start = System.nanoTime();
        for (long i = 0; i < count && failure.get() == null; i++) {
          // Each record has its due time; one that is late (a GC pause) goes at once, so the rate holds on average.
          long wait = start + (long) (i * intervalNanos) - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          long id = firstId + i;
          long now = System.currentTimeMillis();
          producer.send(new ProducerRecord<>(topic, null, now, Long.toString(id), inputJson(id, now)),
              (metadata, e) -> failure.compareAndSet(null, e));
        }
        producer.flush();
      }
      if (failure.get() != null) {
        throw new IllegalStateException("could not write the paced input records to " + topic, failure.get());
      }
      return count;
    });
  }

  /** {@link #startDrain} and waits for its result. */
  public static Drained drain(String bootstrap, String outputTopic, int expected, Duration timeout) {
    return startDrain(bootstrap, outputTopic, expected, timeout).join();
  }

  /**
   * Starts reading {@code outputTopic} from its beginning, as a {@code read_committed} consumer without a group, until
   * {@code expected} records arrived or {@code timeout} passed. The consumer is assigned and positioned before this
   * returns, so a pipeline started afterwards has nothing of its output missed or seen late.
   */
  public static Drain startDrain(String bootstrap, String outputTopic, int expected, Duration timeout) {
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // An idle fetch waits at most this long for new records, which bounds how late a committed output is seen.
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    try {
      List<TopicPartition> partitions = consumer.partitionsFor(outputTopic, Duration.ofSeconds(30)).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("the output topic " + outputTopic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      partitions.forEach(consumer::position); // resolves the positions now, not in the first measured poll
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
    return new Drain(consumer, outputTopic, expected, timeout);
  }

  /**
   * The value at {@code fraction} (0.5 for the median, 0.99 for p99) of {@code values}, by the nearest-rank method:
   * the smallest value that at least that fraction of the values do not exceed.
   */
  public static double percentile(double[] values, double fraction) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(fraction * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> tuning) {
    Map<String, Object> config = new HashMap<>(tuning);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(config);
  }

  /** Runs {@code work} on a daemon thread of its own: a benchmark that fails does not wait for its timeouts to exit. */
  private static <T> CompletableFuture<T> onNewThread(String name, Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      thread.start();
    });
  }

  /** A reading of an output topic under way. */
  public static final class Drain {
    private final AtomicLong received = new AtomicLong();
    private final CompletableFuture<Drained> result;

    private Drain(KafkaConsumer<String, byte[]> consumer, String topic, int expected, Duration timeout) {
      result = onNewThread("bench-drain", () -> {
        try (consumer) {
          return read(consumer, topic, expected, timeout);
        }
      });
    }

    private Drained read(KafkaConsumer<String, byte[]> consumer, String topic, int expected, Duration timeout) {
      long[] inputTimestamps = new long[expected];
      long[] latencyMillis = new long[expected];
      Set<String> keys = new HashSet<>();
      long firstNanos = 0;
      long lastNanos = 0;
      byte[] firstValue = null;
      int count = 0;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + count + " of " + expected + " records arrived on " + topic
              + " within " + timeout);
        }
        var records = consumer.poll(Duration.ofMillis(100));
        long seenNanos = System.nanoTime();
        long seenMillis = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> record : records) {
          if (count == expected) {
            break; // more than expected: a duplicate was among them, and distinctKeys tells
          }
          if (count == 0) {
            firstNanos = seenNanos;
            firstValue = record.value();
          }
          inputTimestamps[count] = record.timestamp();
          latencyMillis[count] = seenMillis - record.timestamp();
          keys.add(record.key());
          count++;
          lastNanos = seenNanos;
        }
        received.set(count);
      }
      return new Drained(firstNanos, lastNanos, inputTimestamps, latencyMillis, keys.size(), firstValue);
    }

    /** How many records arrived so far. */
    public long received() {
      return received.get();
    }

    /**
     * Waits until at least {@code count} records arrived.
     *
     * @throws IllegalStateException if they did not within {@code timeout}, or the reading failed
     */
    public void awaitReceived(long count, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (received() < count) {
        if (result.isCompletedExceptionally()) {
          join(); // throws the reading's failure
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + received() + " of " + count + " records arrived within " + timeout);
        }
        TimeUnit.MILLISECONDS.sleep(5);
      }
    }

    /** Waits for the end of the reading: every expected record arrived, or it failed (its exception is thrown). */
    public Drained join() {
      try {
        return result.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException cause ? cause : e;
      }
    }
  }

  /**
   * What a drain saw, in arrival order: per record, its input timestamp and its latency (arrival minus input
   * timestamp, in wall-clock milliseconds); {@link System#nanoTime()} of the first and last arrivals; how many distinct
   * keys (fewer than the records means duplicates); the first record's value, to check the output format.
   */
  public record Drained(long firstNanos, long lastNanos, long[] inputTimestamps, long[] latencyMillis,
      int distinctKeys, byte[] firstValue) {
    public int count() {
      return latencyMillis.length;
    }

    /** Latencies in milliseconds of the records whose input timestamp is in {@code [fromMillis, untilMillis)}. */
    public double[] latenciesOfInputs(long fromMillis, long untilMillis) {
      double[] selected = new double[count()];
      int n = 0;
      for (int i = 0; i < count(); i++) {
        if (inputTimestamps[i] >= fromMillis && inputTimestamps[i] < untilMillis) {
          selected[n++] = latencyMillis[i];
        }
      }
      return Arrays.copyOf(selected, n);
    }
  }
}
