package dev.weft.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.kafka.Deadline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker itself: its folders, ports, settings and restarts. Each test starts a broker of its own. */
class EmbeddedKafkaTest {
  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

  @TempDir
  Path folder;

  @Test
  void aTemporaryLogFolderIsDeletedOnCloseAndTheBrokerListensOnLoopbackOnly() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Path logDir = kafka.logDir();
    try (kafka) {
      assertTrue(kafka.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), kafka.bootstrapServers());
      assertTrue(Files.exists(logDir.resolve("meta.properties")), "a formatted log folder");
      assertTrue(logDir.startsWith(TMP), logDir.toString());
      IllegalStateException error = assertThrows(IllegalStateException.class, kafka::kill);
      assertTrue(error.getMessage().contains("childProcess(true)"), error.getMessage());
    }
    assertFalse(Files.exists(logDir), "deleted on close: " + logDir);
    kafka.close();
    assertThrows(IllegalStateException.class, kafka::restart, "closed for good");
  }

  @Test
  void aNamedLogFolderKeepsTopicsAndRecordsAcrossRestartsAndBrokers() throws Exception {
    Path logDir = folder.resolve("kafka-log");
    String address;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().logDir(logDir).start()) {
      address = kafka.bootstrapServers();
      produce(kafka, "kept", "before restart");
      kafka.restart();
      assertEquals(address, kafka.bootstrapServers(), "a restart keeps the address");
      produce(kafka, "kept", "after restart");
      assertEquals(List.of("before restart", "after restart"), readAll(kafka, "kept", 2));

      IllegalStateException inUse = assertThrows(IllegalStateException.class,
          () -> EmbeddedKafka.builder().logDir(logDir).start(), "a second broker on the same folder");
      assertEquals("the Kafka log folder " + logDir + " is in use by another embedded broker, in this process or"
          + " another: one folder serves one broker at a time", inUse.getMessage());
      // The refusal above must not have dropped this JVM's lock on the folder: another process is refused too.
      RuntimeException inUseElsewhere = assertThrows(RuntimeException.class,
          () -> EmbeddedKafka.builder().logDir(logDir).childProcess(true).start(), "a broker in another process");
      assertTrue(String.valueOf(inUseElsewhere.getMessage()).contains("is in use by another embedded broker"),
          String.valueOf(inUseElsewhere.getMessage()));
    }
    assertTrue(Files.exists(logDir.resolve("meta.properties")), "a named folder is kept");

    try (EmbeddedKafka again = EmbeddedKafka.builder().logDir(logDir).start()) {
      assertEquals(List.of("before restart", "after restart"), readAll(again, "kept", 2));
    }
  }

  @Test
  void aFatalKafkaErrorFailsTheBrokerInsteadOfEndingTheJvm() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // What Kafka's fatal fault handlers call; without the guard this JVM, and the test run, would end here.
      Exit.halt(1, "simulated fatal error");
      IllegalStateException error = assertThrows(IllegalStateException.class, kafka::awaitShutdown);
      assertTrue(error.getMessage().endsWith(
          "failed: Kafka asked to halt the JVM with status 1: simulated fatal error"), error.getMessage());
    }
  }

  @Test
  void aPortInUseIsNamedAndNoFolderIsLeftBehind() throws IOException {
    Set<Path> before = weftFolders();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();
      IllegalStateException error = assertThrows(IllegalStateException.class,
          () -> EmbeddedKafka.builder().port(port).start());
      assertTrue(error.getMessage().startsWith("port " + port + " on 127.0.0.1 is in use"), error.getMessage());
    }
    assertEquals(before, weftFolders());
  }

  @Test
  void badBrokerSettingsAreRejectedWithTheirName() {
    IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
        () -> EmbeddedKafka.builder().brokerProperty("listeners", "PLAINTEXT://0.0.0.0:9092"));
    assertTrue(reserved.getMessage().startsWith("broker property 'listeners' is set by the embedded broker"),
        reserved.getMessage());

    IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class,
        () -> EmbeddedKafka.builder().logDir(folder.resolve("never")).brokerProperty("num.partitions", "many")
            .start());
    assertTrue(invalid.getMessage().contains("num.partitions"), invalid.getMessage());

    assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.builder().port(70000));
    assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.builder().startTimeout(Duration.ZERO));
  }

  private static void produce(EmbeddedKafka kafka, String topic, String value) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.connection().clientProperties(
        Map.of("acks", "all")), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, value)).get();
    }
  }

  private static List<String> readAll(EmbeddedKafka kafka, String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.connection().clientProperties(),
        new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      Deadline deadline = Deadline.in(Duration.ofSeconds(60));
      while (values.size() < expected) {
        deadline.check(() -> expected + " records in " + topic + "; read " + values);
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  private static Set<Path> weftFolders() throws IOException {
    try (Stream<Path> entries = Files.list(TMP)) {
      return entries.filter(path -> path.getFileName().toString().startsWith("weft-kafka-"))
          .collect(Collectors.toSet());
    }
  }
}
