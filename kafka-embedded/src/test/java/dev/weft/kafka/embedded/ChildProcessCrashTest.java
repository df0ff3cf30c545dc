package dev.weft.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.kafka.Deadline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A broker killed with SIGKILL mid-stream and restarted on its log folder loses no record it acknowledged. The one
 * test with a child-JVM broker: only a separate process can be killed without killing the test.
 */
class ChildProcessCrashTest {
  private static final String TOPIC = "ledger";
  private static final int PARTITIONS = 3;
  private static final int BATCH = 500;

  @Test
  void noAcknowledgedRecordIsLostWhenTheBrokerIsKilledAndRestarted() throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger failed = new AtomicInteger();
    Path logDir;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().childProcess(true).start()) {
      logDir = kafka.logDir();
      String address = kafka.bootstrapServers();
      try (Admin admin = Admin.create(kafka.connection().clientProperties())) {
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
      }

      try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.connection().clientProperties(Map.of(
          ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
          ProducerConfig.LINGER_MS_CONFIG, 5)), new StringSerializer(), new StringSerializer())) {
        send(producer, 0, acknowledged, failed);
        producer.flush();
        assertEquals(BATCH, acknowledged.size(), "the first batch is acknowledged before the crash");

        // The second batch is in flight, partly acknowledged, when the broker dies.
        send(producer, 1, acknowledged, failed);
        kafka.kill();
        int acknowledgedAtCrash = acknowledged.size();

        kafka.restart();
        assertEquals(address, kafka.bootstrapServers(), "the restarted broker has the same address");
        send(producer, 2, acknowledged, failed);
        producer.flush();
        assertTrue(acknowledged.size() > acknowledgedAtCrash, "the producer goes on after the restart");
      }

      Set<String> stored = readAll(kafka);
      Set<String> lost = new HashSet<>(acknowledged);
      lost.removeAll(stored);
      assertEquals(Set.of(), lost, "acknowledged records missing after the crash (" + acknowledged.size()
          + " acknowledged, " + failed.get() + " failed, " + stored.size() + " stored)");
    }
    assertFalse(Files.exists(logDir), "the temporary log folder is deleted on close");
  }

  private static void send(KafkaProducer<String, String> producer, int batch, Set<String> acknowledged,
      AtomicInteger failed) {
    IntStream.range(0, BATCH).mapToObj(i -> batch + "-" + i).forEach(value ->
        producer.send(new ProducerRecord<>(TOPIC, value, value), (metadata, error) -> {
          if (error == null) {
            acknowledged.add(value);
          } else {
            failed.incrementAndGet();
          }
        }));
  }

  private static Set<String> readAll(EmbeddedKafka kafka) {
    Set<String> values = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.connection().clientProperties(),
        new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
          .mapToObj(partition -> new TopicPartition(TOPIC, partition)).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Deadline deadline = Deadline.in(Duration.ofSeconds(60));
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
        deadline.check(() -> "the topic was read to its end " + ends + "; read " + values.size());
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
