package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.KafkaClients;
import dev.weft.broker.protocol.ResultFetcher;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.AptInstall;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.SchemaRegistryClient;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drill: graphs written to the graphs topic by a Kafka client that is not Weft's, Confluent's Python client, whose
 * default partitioner (librdkafka's CRC32) puts most keys in other partitions than Java's murmur2 would. With two
 * schedulers, the one that owns a graph's partition must find its results: where they go follows from the partition
 * the graph was read from, never from a partitioner.
 *
 * <p>The setup installs Debian's python3-confluent-kafka when it is missing ({@link AptInstall});
 * {@code -Dweft.interop.skip=true} skips the test on purpose.
 */
@WithKafka
class PolyglotProducerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = Path.of("src", "test", "scripts", "produce_graphs.py");
  private static final int GRAPHS = 12;

  @BeforeAll
  static void installConfluentsClient() throws Exception {
    if (!AptInstall.SKIP) {
      AptInstall.ensure("Confluent's Python client", "/usr/bin/python3 -c 'import confluent_kafka'", "python3",
          "python3-confluent-kafka");
    }
  }

  /** {@code count} tasks that sleep a little and return their number, and their sum. */
  private static Graph sleepers(String id, int count) {
    GraphBuilder builder = Graph.builder().id(id);
    List<Arg> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      builder.task("t" + i, "sleep", 10L, (long) i);
      all.add(Arg.ref("t" + i));
    }
    return builder.task("total", "sum", all).outputs("total").build();
  }

  @Test
  void graphsFromConfluentsPythonClientCompleteWithTwoSchedulers(TestKafka kafka) throws Exception {
    Assumptions.assumeFalse(AptInstall.SKIP, "skipped on request (-Dweft.interop.skip=true): Confluent's Python"
        + " client was not run");
    try (WeftCluster cluster = WeftCluster.start(kafka, 2);
         SchedulerService second = SchedulerService.start(secondScheduler(cluster));
         SchemaRegistryClient registry = new WeftKafkaConfig(cluster.connection()).registryClient();
         EventFollower events = new EventFollower(cluster.connection(), new WireCodec(registry))) {
      assertTrue(second.awaitAssignment(Duration.ofMinutes(1)), "the second scheduler got partitions");
      Topics topics = new WeftKafkaConfig(cluster.connection()).topics();
      WireCodec codec = new WireCodec(registry);
      Drill drill = new Drill("python-producer-two-schedulers");
      ArrayNode records = JSON.createArrayNode();
      Map<String, Integer> javaPartitions = new LinkedHashMap<>();
      int partitions = kafka.admin().describeTopics(List.of(topics.graphs())).allTopicNames().get()
          .get(topics.graphs()).partitions().size();
      for (int i = 0; i < GRAPHS; i++) {
        String id = "python-graph-" + i;
        byte[] value = codec.encode(topics.graphs(), new GraphCommand.Submit(id, sleepers(id, 20), null, Map.of(), 0,
            false, "python"));
        records.add(JSON.createObjectNode().put("key", id).put("value", HexFormat.of().formatHex(value)));
        drill.track(id, events.follow(id), "total", 20L * 19 / 2);
        javaPartitions.put(id, Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions);
      }
      JsonNode produced = runPython(JSON.createObjectNode().put("bootstrap", kafka.bootstrapServers())
          .put("topic", topics.graphs()).set("records", records));
      long elsewhere = javaPartitions.entrySet().stream()
          .filter(entry -> produced.path("partitions").path(entry.getKey()).asInt() != entry.getValue()).count();
      drill.note("%d of %d graphs in another partition than Java's partitioner would choose", elsewhere, GRAPHS);
      assertTrue(elsewhere > 0, "librdkafka's partitioner put every graph where Java's would: the drill proves "
          + "nothing");
      drill.awaitAll(Duration.ofMinutes(2));
      assertEquals(null, cluster.scheduler().failure());
      assertEquals(null, second.failure());
    }
  }

  private static Map<String, Object> secondScheduler(WeftCluster cluster) {
    Map<String, Object> config = new LinkedHashMap<>(cluster.connection());
    config.put(SchedulerServiceConfig.NAME, "second-scheduler");
    return config;
  }

  private static JsonNode runPython(ObjectNode request) throws Exception {
    File stderr = File.createTempFile("weft-produce-graphs", ".err");
    try {
      Process python = new ProcessBuilder("/usr/bin/python3", SCRIPT.toString()).redirectError(stderr).start();
      try (OutputStream in = python.getOutputStream()) {
        in.write(JSON.writeValueAsBytes(request));
      }
      byte[] stdout = python.getInputStream().readAllBytes();
      if (!python.waitFor(2, TimeUnit.MINUTES)) {
        python.destroyForcibly();
        fail("Confluent's Python client did not finish in 2 minutes:\n" + Files.readString(stderr.toPath()));
      }
      if (python.exitValue() != 0) {
        fail("Confluent's Python client failed (exit " + python.exitValue() + "):\n"
            + Files.readString(stderr.toPath()));
      }
      return JSON.readTree(stdout);
    } finally {
      Files.deleteIfExists(stderr.toPath());
    }
  }

  /**
   * Follows the events topic from its start for graphs that no Weft client submitted, and reads their outputs when
   * they complete.
   */
  private static final class EventFollower implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final ResultFetcher fetcher;
    private final WireCodec codec;
    private final String topic;
    private final Map<String, CompletableFuture<Map<String, Object>>> followed = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    EventFollower(Map<String, Object> connection, WireCodec codec) {
      WeftKafkaConfig config = new WeftKafkaConfig(connection);
      this.codec = codec;
      this.topic = config.topics().events();
      this.consumer = KafkaClients.plainConsumer(config.clientProperties(), "drill-events");
      this.fetcher = new ResultFetcher(config.clientProperties(), config.topics().results(), codec, "drill-results");
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      this.thread = new Thread(this::follow, "drill-events");
      thread.start();
    }

    CompletableFuture<Map<String, Object>> follow(String graphId) {
      return followed.computeIfAbsent(graphId, id -> new CompletableFuture<>());
    }

    private void follow() {
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          CompletableFuture<Map<String, Object>> outputs = followed.get(record.key());
          if (outputs == null) {
            continue;
          }
          GraphEvent event = codec.decodeEvent(topic, record.value());
          if (event.type() == GraphEvent.Type.COMPLETED) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, ResultRef> output : event.locations().entrySet()) {
              values.put(output.getKey(), fetcher.value(output.getValue(), Duration.ofMinutes(1)));
            }
            outputs.complete(values);
          } else if (event.type().isFinal()) {
            outputs.completeExceptionally(new IllegalStateException(event.type() + ": " + event.message()));
          }
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(5_000);
      consumer.close();
      fetcher.close();
    }
  }
}
