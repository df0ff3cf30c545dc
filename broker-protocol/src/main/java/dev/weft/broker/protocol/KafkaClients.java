package dev.weft.broker.protocol;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka clients with the settings Weft relies on; the caller's properties (security, tuning) win where they overlap
 * except for the serializers, which Weft's records need.
 */
public final class KafkaClients {
  private KafkaClients() {}

  /**
   * An idempotent producer that waits for all in-sync replicas: a result acknowledged is a result kept, and a retried
   * send is not written twice. {@code linger.ms} is 0 so that a chain of tasks pays no batching delay; batches still
   * form while earlier sends are in flight.
   *
   * <p>A send is retried until Kafka takes it, however long the brokers are away ({@code delivery.timeout.ms} is
   * unbounded): a task, result or event given up after Kafka's default two minutes would be lost, and its graph would
   * hang. Errors that no retry can mend (a record too large, a topic this client may not write) still fail the send at
   * once. Order within a partition holds across the outage, as it would not if Weft re-sent what the producer gave up.
   */
  public static KafkaProducer<String, byte[]> producer(Map<String, Object> clientProperties, String clientId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    config.putAll(clientProperties);
    // The producer refuses a record larger than its whole buffer (32 MiB by default): room for two of the largest.
    Object requestSize = config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    if (requestSize != null && !clientProperties.containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)) {
      config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, 2L * Long.parseLong(requestSize.toString())));
    }
    // Graphs, results and events are placed by the default partitioner's hash of the graph id, which is how a
    // scheduler finds a graph's results in the partition of the same number: no other partitioner may take over.
    config.remove(ProducerConfig.PARTITIONER_CLASS_CONFIG);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(config);
  }

  /**
   * A consumer of a group (the schedulers', a worker pool's), committing by hand. It uses the classic group protocol
   * with cooperative (incremental) rebalancing rather than KIP-848's: Kafka 4.4's KIP-848 consumer busy-loops inside
   * {@code poll} while paused partitions have fetched data waiting (a worker pauses to hold back work), and each
   * {@code poll(0)} of the scheduler's loop is a round trip to its background thread. Measured side by side on this
   * project's benchmark, the classic consumer gave wide graphs about 15% and trees about 60% more throughput. A member
   * that dies is noticed after {@code session.timeout.ms}, 10 s by default here (Kafka's 45 s would leave a dead
   * worker's tasks waiting for most of a minute).
   */
  public static KafkaConsumer<String, byte[]> groupConsumer(Map<String, Object> clientProperties, String group,
      String clientId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CLASSIC.name());
    config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    config.putAll(clientProperties);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(config);
  }

  /** A consumer without a group, for partitions it assigns itself and positions it seeks. */
  public static KafkaConsumer<String, byte[]> plainConsumer(Map<String, Object> clientProperties, String clientId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    config.putAll(clientProperties);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(config);
  }
}
