package dev.weft.kafka.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.kafka.Deadline;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker speaks Kafka to a client nobody on this project wrote: kcat, built on librdkafka.
 *
 * <p>The setup installs kcat with apt-get when it is missing ({@link AptInstall}) and fails,
 * saying why, when it cannot. {@code -Dweft.interop.skip=true} skips the test explicitly, for machines without
 * Debian's packages; it is the switch ConfluentPythonInteropTest of the schema-registry module obeys too.
 */
@WithKafka
class KcatInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final boolean SKIP = AptInstall.SKIP;
  private static Path kcat;

  @BeforeAll
  static void installKcat() throws Exception {
    if (SKIP) {
      return; // reported as a skip by each test, so the count shows it
    }
    AptInstall.ensure("kcat", "kcat -V", "kcat");
    // apt-get puts it in /usr/bin, which a JVM started with a trimmed PATH may not search.
    Optional<Path> found = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "")
            .split(File.pathSeparator)), Stream.of("/usr/bin"))
        .filter(folder -> !folder.isEmpty()).map(folder -> Path.of(folder, "kcat")).filter(Files::isExecutable)
        .findFirst();
    if (found.isEmpty()) {
      fail("kcat was installed, but no executable kcat is on the PATH (" + System.getenv("PATH")
          + ") or in /usr/bin");
    }
    kcat = found.get();
  }

  @Test
  void kcatReadsWhatAJavaProducerWrote(TestKafka kafka) throws Exception {
    assumeNotSkipped();
    assumePlaintext(kafka);
    String topic = kafka.createTopic("from-java", 1);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientProperties(Map.of("acks", "all")),
        new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
      }
      producer.flush();
    }
    // -e: exit at the end of the partition; -f: one "key=value" line per record.
    List<String> lines = run(kafka, null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n");
    assertEquals(List.of("k0=v0", "k1=v1", "k2=v2", "k3=v3", "k4=v4"), lines);
  }

  @Test
  void aJavaConsumerReadsWhatKcatWrote(TestKafka kafka) throws Exception {
    assumeNotSkipped();
    assumePlaintext(kafka);
    String topic = kafka.createTopic("from-kcat", 1);
    // -K: splits each input line into key and value at the colon; acks=all as Weft's producers use.
    run(kafka, "a:1\nb:2\nc:3\n", "-P", "-t", topic, "-K", ":", "-X", "acks=all");

    List<String> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.clientProperties(),
        new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      Deadline deadline = Deadline.in(WAIT);
      while (records.size() < 3) {
        deadline.check(() -> "kcat's three records arrived; got " + records);
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          records.add(record.key() + "=" + record.value());
        }
      }
    }
    assertEquals(List.of("a=1", "b=2", "c=3"), records);
  }

  private static void assumeNotSkipped() {
    assumeFalse(SKIP, "skipped on request (-Dweft.interop.skip=true): kcat was not run");
  }

  /** kcat takes security settings in librdkafka's names, which this test does not translate. */
  private static void assumePlaintext(TestKafka kafka) {
    assumeTrue(kafka.clientProperties().keySet().equals(java.util.Set.of("bootstrap.servers")),
        "kcat is run with bootstrap servers only; this cluster needs client settings");
  }

  private static List<String> run(TestKafka kafka, String input, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(kcat.toString(), "-b", kafka.bootstrapServers()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (var stdin = process.getOutputStream()) {
      if (input != null) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = readAll(process);
    boolean exited = process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    assertTrue(exited, "kcat finished within " + WAIT.toSeconds() + " s: " + command);
    assertEquals(0, process.exitValue(), "kcat's exit status: " + command);
    return output.isEmpty() ? List.of() : List.of(output.split("\n"));
  }

  private static String readAll(Process process) throws IOException {
    try (var stdout = process.getInputStream()) {
      return new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
