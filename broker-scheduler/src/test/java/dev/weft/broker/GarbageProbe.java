package dev.weft.broker;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.KafkaClients;
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

/** Writes bytes that are not a graph to the graphs topic, and reads what the scheduler made of them. */
final class GarbageProbe {
  private final Map<String, Object> connection;
  private final String graphs;
  private final String deadLetters;
  private final String events;

  GarbageProbe(Map<String, Object> connection, String graphs, String deadLetters) {
    this.connection = connection;
    this.graphs = graphs;
    this.deadLetters = deadLetters;
    this.events = new WeftKafkaConfig(connection).topics().events();
  }

  /** Sends garbage keyed {@code key} and returns the message of the REJECTED event the scheduler publishes. */
  String sendGarbageAndAwaitRejection(String key) throws Exception {
    WeftKafkaConfig config = new WeftKafkaConfig(connection);
    try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(config.clientProperties(), "probe");
         KafkaConsumer<String, byte[]> consumer = KafkaClients.plainConsumer(config.clientProperties(), "probe");
         SchemaRegistryClient registry = config.registryClient()) {
      List<TopicPartition> partitions = partitions(consumer, events);
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      producer.send(new ProducerRecord<>(graphs, key, "not a graph".getBytes(StandardCharsets.UTF_8))).get();
      WireCodec codec = new WireCodec(registry);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          GraphEvent event = codec.decodeEvent(events, record.value());
          if (key.equals(event.graphId()) && event.type() == GraphEvent.Type.REJECTED) {
            return event.message();
          }
        }
      }
      throw new AssertionError("no rejection of " + key + " within a minute");
    }
  }

  /** The reason header of the dead letter keyed {@code key}. */
  String deadLetterReason(String key) {
    WeftKafkaConfig config = new WeftKafkaConfig(connection);
    try (KafkaConsumer<String, byte[]> consumer = KafkaClients.plainConsumer(config.clientProperties(), "probe")) {
      List<TopicPartition> partitions = partitions(consumer, deadLetters);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          Header reason = record.headers().lastHeader("weft.reason");
          if (key.equals(record.key()) && reason != null) {
            return new String(reason.value(), StandardCharsets.UTF_8);
          }
        }
      }
      throw new AssertionError("no dead letter " + key + " within a minute");
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    return partitions;
  }
}
