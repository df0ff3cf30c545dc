package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.KafkaClients;
import dev.weft.broker.protocol.ResultFetcher;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/** Reading results by location: one failed read must not spoil the next ones. */
@WithKafka
class ResultFetcherTest {
  @Test
  void aFetchThatFailsLeavesNothingBehindForTheNext(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("results", 2);
    Map<String, Object> clients = new HashMap<>(kafka.clientProperties());
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
         RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).build();
         KafkaProducer<String, byte[]> producer = KafkaClients.producer(clients, "results-writer")) {
      WireCodec codec = new WireCodec(client);
      RecordMetadata written = producer.send(new ProducerRecord<>(topic, 1, "g",
          codec.encode(topic, TaskResult.success("g", "a", 1, "w", 0, 42L)))).get();
      ResultRef there = new ResultRef(written.partition(), written.offset());
      ResultRef notYet = new ResultRef(0, 0); // partition 0 is empty: the read waits for it

      try (ResultFetcher fetcher = new ResultFetcher(clients, topic, codec, "fetcher")) {
        // The result on partition 1 is found (and its partition paused) before the wait for partition 0 ends: at its
        // end, where nothing will come.
        IllegalStateException nothing = assertThrows(IllegalStateException.class,
            () -> fetcher.fetch(List.of(there, notYet), Duration.ofSeconds(20)));
        assertEquals("no result at 0@0 of " + topic + ": the partition ends at 0", nothing.getMessage());
        assertEquals(42L, fetcher.value(there, Duration.ofSeconds(20)));

        // Nor does a partition the topic does not have make a read wait (for its metadata).
        IllegalStateException nowhere = assertThrows(IllegalStateException.class,
            () -> fetcher.fetch(List.of(there, new ResultRef(999, 5)), Duration.ofSeconds(20)));
        assertEquals("no result at 999@5: " + topic + " has 2 partitions", nowhere.getMessage());
        assertEquals(42L, fetcher.value(there, Duration.ofSeconds(20)));
      }
    }
  }
}
