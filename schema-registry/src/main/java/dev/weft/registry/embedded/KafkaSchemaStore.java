package dev.weft.registry.embedded;

import dev.weft.registry.embedded.internal.StoreRecordJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaStore} whose log is a compacted, single-partition Kafka topic ({@code _weft_schemas} by default), as
 * Confluent Schema Registry keeps its {@code _schemas} topic: the registry's schemas survive restarts, and registries
 * on the same topic share them. The record format is documented on {@link StoreRecordJson}.
 *
 * <p>How it keeps its contract:
 * <ul>
 *   <li>Open: creates the topic if absent (compacted, one partition) or checks that it is so, reads it from the
 *       beginning to its end offset, and only then returns; a reader thread then keeps delivering new records. It also
 *       withdraws records that lost a race and whose writer died before withdrawing them.
 *   <li>Writes: acks=all, idempotent. An update first reads the topic to its current end, lets the registry decide,
 *       appends, and waits until the reader has delivered its records (read-your-writes, as Confluent's registry
 *       does). If the registry's rules rejected one (another registry appended a conflicting version or id first),
 *       the store writes its tombstone and lets the registry decide again. Every registry applies the same rules to
 *       the same log, so they agree on ids and versions; no transactions and no leader are needed.
 * </ul>
 *
 * <p>Configuration: {@link KafkaSchemaStoreConfig}.
 */
public final class KafkaSchemaStore implements SchemaStore {
  private static final Logger log = LoggerFactory.getLogger(KafkaSchemaStore.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

  private final KafkaSchemaStoreConfig config;
  private final String topic;
  private final TopicPartition partition;
  private final Duration timeout;
  private final Duration initTimeout;

  private final ReentrantLock writeLock = new ReentrantLock();
  private KafkaProducer<byte[], byte[]> producer; // guarded by writeLock

  /** Schema versions the registry rejected, by offset, until the writer waiting for them has looked. */
  private final ConcurrentSkipListMap<Long, StoreRecord.SchemaVersion> rejected = new ConcurrentSkipListMap<>();
  /** Rejected schema versions whose tombstone has not been seen, by that tombstone. */
  private final Map<StoreRecord.SchemaVersionRemoved, StoreRecord.SchemaVersion> unwithdrawn =
      new ConcurrentHashMap<>();

  private final Object progress = new Object();
  private long position; // guarded by progress: the offset after the last record delivered
  private Throwable readerFailure; // guarded by progress

  private Admin admin;
  private KafkaConsumer<byte[], byte[]> consumer;
  private Thread reader;
  private Listener listener;
  private volatile boolean closing;

  /** A store configured by the keys of {@link KafkaSchemaStoreConfig}. Nothing is contacted before {@link #open}. */
  public KafkaSchemaStore(Map<String, ?> configs) {
    this.config = new KafkaSchemaStoreConfig(configs);
    this.topic = config.topic();
    this.partition = new TopicPartition(topic, 0);
    this.timeout = Duration.ofMillis(config.getInt(KafkaSchemaStoreConfig.TIMEOUT_MS_CONFIG));
    this.initTimeout = Duration.ofMillis(config.getInt(KafkaSchemaStoreConfig.INIT_TIMEOUT_MS_CONFIG));
  }

  /** The topic this store reads and writes. */
  public String topic() {
    return topic;
  }

  @Override
  public synchronized void open(Listener listener) {
    if (this.listener != null) {
      throw new IllegalStateException("store is already open");
    }
    this.listener = listener;
    try {
      admin = Admin.create(config.clientProperties());
      ensureTopic();
      consumer = new KafkaConsumer<>(consumerProperties());
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), initTimeout).get(partition);
      long deadline = System.nanoTime() + initTimeout.toNanos();
      while (consumer.position(partition, initTimeout) < end) {
        if (System.nanoTime() > deadline) {
          throw new SchemaStoreException("timed out after " + initTimeout.toMillis() + " ms reading topic " + topic
              + " to its end offset " + end, true, null);
        }
        deliver(consumer.poll(POLL_TIMEOUT));
      }
      advanceTo(consumer.position(partition));
      log.info("Read schemas topic {} to offset {}", topic, end);
    } catch (SchemaStoreException e) {
      close();
      throw e;
    } catch (KafkaException e) {
      close();
      throw new SchemaStoreException("cannot read schemas topic " + topic + ": " + e.getMessage(),
          e instanceof org.apache.kafka.common.errors.TimeoutException, e);
    }
    // The consumer passes to the reader thread here; Thread.start() publishes it safely.
    reader = new Thread(this::readLoop, "weft-schema-store-reader-" + topic);
    reader.setDaemon(true);
    reader.start();
    if (!unwithdrawn.isEmpty()) {
      log.info("Withdrawing {} schema versions of {} that lost a race and were never withdrawn", unwithdrawn.size(),
          topic);
      writeLock.lock();
      try {
        withdraw(List.copyOf(unwithdrawn.values()));
      } catch (SchemaStoreException e) {
        close();
        throw e;
      } finally {
        writeLock.unlock();
      }
    }
  }

  @Override
  public void sync() {
    waitUntilDelivered(committedEndOffset());
  }

  @Override
  public <T> T update(Supplier<Update<T>> writer) {
    int maxAttempts = config.getInt(KafkaSchemaStoreConfig.MAX_WRITE_ATTEMPTS_CONFIG);
    writeLock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        sync();
        Update<T> update = writer.get();
        if (update.records().isEmpty()) {
          return update.result();
        }
        List<Long> offsets = append(update.records());
        long last = offsets.get(offsets.size() - 1);
        waitUntilDelivered(last + 1);
        List<StoreRecord.SchemaVersion> lost = new ArrayList<>();
        for (long offset : offsets) {
          StoreRecord.SchemaVersion loser = rejected.remove(offset);
          if (loser != null) {
            lost.add(loser);
          }
        }
        rejected.headMap(last, true).clear(); // other writers' losers: theirs to withdraw
        if (lost.isEmpty()) {
          return update.result();
        }
        withdraw(lost);
        if (attempt >= maxAttempts) {
          throw new SchemaStoreException("gave up writing to schemas topic " + topic + " after " + attempt
              + " attempts: other registries kept taking the same versions or ids first", null);
        }
        log.debug("Another registry took the version or id this one chose on {}; deciding again", topic);
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void close() {
    closing = true;
    if (reader != null) {
      consumer.wakeup();
      try {
        reader.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (consumer != null) {
      consumer.close(CloseOptions.timeout(timeout));
    }
    writeLock.lock();
    try {
      if (producer != null) {
        producer.close(timeout);
        producer = null;
      }
    } finally {
      writeLock.unlock();
    }
    if (admin != null) {
      // Every admin call is awaited by its caller, within its own timeout: one still pending now was given up on
      // (a broker that cannot be reached), and waiting for it would only hold up close, or a failed open, for
      // kafkastore.timeout.ms more.
      admin.close(Duration.ZERO);
    }
  }

  private void ensureTopic() {
    try {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(initTimeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      checkTopic(description);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
        throw failure("cannot describe schemas topic " + topic, e.getCause());
      }
      createTopic();
    } catch (TimeoutException e) {
      throw new SchemaStoreException("timed out after " + initTimeout.toMillis() + " ms describing schemas topic "
          + topic, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaStoreException("interrupted while describing schemas topic " + topic, e);
    }
  }

  private void createTopic() {
    int replicationFactor = config.getInt(KafkaSchemaStoreConfig.TOPIC_REPLICATION_FACTOR_CONFIG);
    NewTopic newTopic = new NewTopic(topic, Optional.of(1),
        replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor))
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    try {
      admin.createTopics(List.of(newTopic)).all().get(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("Created schemas topic {}", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw failure("cannot create schemas topic " + topic, e.getCause());
      }
      ensureTopic(); // another registry created it first: check it as ours would have been
    } catch (TimeoutException e) {
      throw new SchemaStoreException("timed out creating schemas topic " + topic, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaStoreException("interrupted while creating schemas topic " + topic, e);
    }
  }

  /** A topic with more partitions has no single order, and one that deletes old records loses schemas. */
  private void checkTopic(TopicDescription description) throws ExecutionException, InterruptedException,
      TimeoutException {
    if (description.partitions().size() != 1) {
      throw new SchemaStoreException("schemas topic " + topic + " has " + description.partitions().size()
          + " partitions; it must have exactly one, so that every registry reads its records in one order", null);
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config topicConfig = admin.describeConfigs(List.of(resource)).all()
        .get(initTimeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
    String cleanupPolicy = topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
    if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanupPolicy)) {
      throw new SchemaStoreException("schemas topic " + topic + " has cleanup.policy=" + cleanupPolicy + "; it must"
          + " be compact, or old schemas would be deleted", null);
    }
  }

  private void readLoop() {
    try {
      while (!closing) {
        deliver(consumer.poll(POLL_TIMEOUT));
        advanceTo(consumer.position(partition));
      }
    } catch (WakeupException e) {
      if (!closing) {
        readerFailed(e);
      }
    } catch (RuntimeException | Error e) {
      log.error("The reader of schemas topic {} stopped; the registry answers with errors from now on", topic, e);
      readerFailed(e);
    } finally {
      consumer.close(CloseOptions.timeout(timeout));
    }
  }

  private void deliver(Iterable<ConsumerRecord<byte[], byte[]>> records) {
    for (ConsumerRecord<byte[], byte[]> record : records) {
      StoreRecord decoded;
      try {
        decoded = StoreRecordJson.decode(record.key(), record.value());
      } catch (IllegalArgumentException e) {
        log.warn("Skipping malformed record at offset {} of schemas topic {}: {}", record.offset(), topic,
            e.getMessage());
        continue;
      }
      if (decoded == null) {
        continue;
      }
      boolean applied = listener.apply(decoded);
      if (decoded instanceof StoreRecord.SchemaVersionRemoved) {
        unwithdrawn.remove(decoded);
      } else if (!applied && decoded instanceof StoreRecord.SchemaVersion) {
        StoreRecord.SchemaVersion loser = (StoreRecord.SchemaVersion) decoded;
        rejected.put(record.offset(), loser);
        unwithdrawn.put(StoreRecord.SchemaVersionRemoved.of(loser), loser);
      }
    }
  }

  private void advanceTo(long offset) {
    synchronized (progress) {
      position = offset;
      progress.notifyAll();
    }
  }

  private void readerFailed(Throwable failure) {
    synchronized (progress) {
      readerFailure = failure;
      progress.notifyAll();
    }
  }

  /** Waits until the listener has been given every record before {@code offset}. */
  private void waitUntilDelivered(long offset) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (position < offset) {
        if (readerFailure != null) {
          throw new SchemaStoreException("the reader of schemas topic " + topic + " has stopped: " + readerFailure,
              readerFailure);
        }
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMillis <= 0) {
          throw new SchemaStoreException("timed out after " + timeout.toMillis() + " ms waiting to read schemas topic "
              + topic + " up to offset " + offset + " (at " + position + ")", true, null);
        }
        try {
          progress.wait(remainingMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SchemaStoreException("interrupted while reading schemas topic " + topic, e);
        }
      }
    }
  }

  private long committedEndOffset() {
    try {
      return admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
          new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(partition)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    } catch (ExecutionException e) {
      throw failure("cannot find the end of schemas topic " + topic, e.getCause());
    } catch (TimeoutException e) {
      throw new SchemaStoreException("timed out finding the end of schemas topic " + topic, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaStoreException("interrupted while finding the end of schemas topic " + topic, e);
    }
  }

  /** Appends {@code records} in order, acknowledged by all in-sync replicas; returns their offsets. */
  private List<Long> append(List<StoreRecord> records) {
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    try {
      if (producer == null) {
        Map<String, Object> properties = new HashMap<>(config.clientProperties());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer = new KafkaProducer<>(properties);
      }
      for (StoreRecord record : records) {
        StoreRecordJson.Encoded encoded = StoreRecordJson.encode(record);
        sends.add(producer.send(new ProducerRecord<>(topic, 0, encoded.key(), encoded.value())));
      }
      List<Long> offsets = new ArrayList<>();
      for (Future<RecordMetadata> send : sends) {
        offsets.add(send.get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset());
      }
      return offsets;
    } catch (ExecutionException e) {
      boolean timedOut = e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException;
      throw new SchemaStoreException("cannot write to schemas topic " + topic + ": " + e.getCause(), timedOut,
          e.getCause());
    } catch (TimeoutException e) {
      throw new SchemaStoreException("timed out after " + timeout.toMillis() + " ms writing to schemas topic " + topic
          + "; the write may still take effect", true, e);
    } catch (KafkaException e) {
      throw new SchemaStoreException("cannot write to schemas topic " + topic + ": " + e,
          e instanceof org.apache.kafka.common.errors.TimeoutException, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaStoreException("interrupted while writing to schemas topic " + topic, e);
    }
  }

  /** Writes the tombstones of schema versions that lost, and waits until they are delivered. */
  private void withdraw(List<StoreRecord.SchemaVersion> losers) {
    List<StoreRecord> tombstones = new ArrayList<>();
    losers.forEach(loser -> tombstones.add(StoreRecord.SchemaVersionRemoved.of(loser)));
    List<Long> offsets = append(tombstones);
    waitUntilDelivered(offsets.get(offsets.size() - 1) + 1);
  }

  private Map<String, Object> consumerProperties() {
    Map<String, Object> properties = new HashMap<>(config.clientProperties());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG); // every registry reads the whole topic: no group
    return properties;
  }

  /**
   * A failed Kafka call. A Kafka client that gives up waiting (its default.api.timeout.ms passed before the store's
   * timeout) reports a TimeoutException as the call's failure: that is a timeout all the same.
   */
  private static SchemaStoreException failure(String what, Throwable cause) {
    return new SchemaStoreException(what + ": " + cause,
        cause instanceof org.apache.kafka.common.errors.TimeoutException, cause);
  }
}
