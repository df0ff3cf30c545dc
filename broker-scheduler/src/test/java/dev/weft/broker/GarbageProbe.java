package dev.weft.broker;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.KafkaClients;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.registry.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Writes what no Weft component wrote (garbage, crafted records) to Weft's topics, and reads what the scheduler and
 * workers made of it: rejections on the events topic, records on the dead-letter topic. Events are read from where
 * the topic ended when the probe was made.
 */
final class GarbageProbe implements AutoCloseable {
  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> events;
  private final SchemaRegistryClient registry;
  private final WireCodec codec;
  private final Map<String, Object> clientProperties;

  GarbageProbe(Map<String, Object> connection) {
    WeftKafkaConfig config = new WeftKafkaConfig(connection);
    this.topics = config.topics();
    this.clientProperties = config.clientProperties();
    this.producer = KafkaClients.producer(clientProperties, "probe");
    this.registry = config.registryClient();
    this.codec = new WireCodec(registry);
    this.events = KafkaClients.plainConsumer(clientProperties, "probe-events");
    List<TopicPartition> partitions = partitions(events, topics.events());
    events.assign(partitions);
    events.seekToEnd(partitions);
    partitions.forEach(events::position);
  }

  /** A codec on the cluster's registry, to craft records from real ones. */
  WireCodec codec() {
    return codec;
  }

  /** Writes a record as is, and waits until Kafka has it. */
  void send(String topic, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  /** Sends garbage keyed {@code key} to the graphs topic and returns the message of the rejection that answers it. */
  String sendGarbageAndAwaitRejection(String key) throws Exception {
    send(topics.graphs(), key, "not a graph".getBytes(StandardCharsets.UTF_8));
    return awaitRejection(key);
  }

  /** The message of the REJECTED event of graph {@code graphId}. */
  String awaitRejection(String graphId) {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : events.poll(Duration.ofMillis(200))) {
        GraphEvent event;
        try {
          event = codec.decodeEvent(topics.events(), record.value());
        } catch (dev.weft.value.MalformedValueException e) {
          continue; // garbage a test wrote
        }
        if (graphId.equals(event.graphId()) && event.type() == GraphEvent.Type.REJECTED) {
          return event.message();
        }
      }
    }
    throw new AssertionError("no rejection of " + graphId + " within a minute");
  }

  /** The reason header of the dead letter keyed {@code key}. */
  String deadLetterReason(String key) {
    return header(awaitDeadLetter(key), "weft.reason");
  }

  /** The dead letter keyed {@code key}, read from the start of the dead-letter topic. */
  ConsumerRecord<String, byte[]> awaitDeadLetter(String key) {
    try (KafkaConsumer<String, byte[]> consumer = KafkaClients.plainConsumer(clientProperties, "probe")) {
      List<TopicPartition> partitions = partitions(consumer, topics.deadLetters());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(record.key()) && record.headers().lastHeader("weft.reason") != null) {
            return record;
          }
        }
      }
      throw new AssertionError("no dead letter " + key + " within a minute");
    }
  }

  static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    return partitions;
  }

  @Override
  public void close() {
    producer.close();
    events.close();
    registry.close();
  }
}
