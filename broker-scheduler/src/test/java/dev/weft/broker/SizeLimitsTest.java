package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.scheduler.TaskFailedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Weft on topics that take less than {@code weft.max.record.bytes} (topics created by hand, or by an older Weft, at
 * Kafka's default of 1 MB): the topics are reported, and every record is checked against the limit of its topic before
 * it is sent, so that what does not fit is answered by design, naming the limit, and never hangs a graph.
 */
@WithKafka
class SizeLimitsTest {
  private static final Duration LONG = Duration.ofMinutes(3);
  /** Kafka's default max.message.bytes, which topics created without settings get. */
  private static final int KAFKA_DEFAULT = 1_048_588;
  private static final int GRAPHS_LIMIT = 4 << 20;

  @Test
  void onTopicsOfKafkasDefaultLimitWhatDoesNotFitIsRefusedNamingTheLimitAndTheRestRuns(TestKafka kafka)
      throws Exception {
    String prefix = kafka.uniqueName("small") + ".";
    Topics topics = new Topics(prefix);
    List<String> names = List.of(topics.graphs(), topics.results(), topics.events(), topics.deadLetters(),
        topics.tasks(null));
    // The graphs topic takes 4 MB, the others Kafka's default.
    kafka.admin().createTopics(List.of(new NewTopic(topics.graphs(), 4, (short) 1).configs(Map.of(
            "max.message.bytes", Integer.toString(GRAPHS_LIMIT))),
        new NewTopic(topics.results(), 4, (short) 1), new NewTopic(topics.events(), 4, (short) 1),
        new NewTopic(topics.deadLetters(), 1, (short) 1), new NewTopic(topics.tasks(null), 8, (short) 1)))
        .all().get();
    Topics.awaitReady(kafka.admin(), names, Duration.ofSeconds(30));

    // Reported, naming the setting: every topic but the events, which Weft keeps small by design.
    List<String> reports = new RecordLimits(kafka.clientProperties(), 64 << 20, topics).read(names);
    assertEquals(4, reports.size(), reports.toString());
    assertTrue(reports.stream().anyMatch(report -> report.startsWith("topic " + topics.results()
        + " takes records of at most " + KAFKA_DEFAULT + " bytes (its max.message.bytes), less than the "
        + (64 << 20) + " of weft.max.record.bytes")), reports.toString());
    assertTrue(reports.stream().noneMatch(report -> report.contains(topics.events())), reports.toString());

    try (WeftCluster cluster = WeftCluster.start(kafka, 1, Map.of(WeftKafkaConfig.TOPIC_PREFIX, prefix));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      String topicLimit = "the topic's max.message.bytes is " + KAFKA_DEFAULT;
      int usable = KAFKA_DEFAULT - RecordLimits.FRAMING_BYTES;

      // A graph larger than its topic takes is refused by a client that does not compress, and nothing is sent...
      Map<String, Object> uncompressed = new java.util.HashMap<>(cluster.connection());
      uncompressed.put("compression.type", "none");
      Graph large = Graph.builder().task("big", "length", randomLetters(5 << 20)).build();
      String graphsLimit = "the topic's max.message.bytes is " + GRAPHS_LIMIT;
      long graphsBefore = endOffsets(kafka, topics.graphs());
      try (WeftClient plain = WeftClient.connect(uncompressed)) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> plain.submit(large));
        assertTrue(refused.getMessage().contains(" bytes encoded, over the " + (GRAPHS_LIMIT
            - RecordLimits.FRAMING_BYTES) + " bytes " + topics.graphs() + " takes (" + graphsLimit),
            refused.getMessage());
      }
      assertEquals(graphsBefore, endOffsets(kafka, topics.graphs()), "nothing was sent");
      // ...and by Kafka, for one that compresses it, if it is still too large compressed: the future says why.
      ExecutionException compressed = assertThrows(ExecutionException.class,
          () -> client.submit(large).get(1, TimeUnit.MINUTES));
      assertTrue(compressed.getCause().getMessage().contains("and still over what " + topics.graphs()
          + " takes once compressed (" + graphsLimit), compressed.getCause().getMessage());

      // A graph its topic takes, with a task its tasks topic does not: the graph fails, naming the tasks topic.
      TaskFailedException task = assertThrows(TaskFailedException.class, () -> client.compute(
          Graph.builder().task("wide-literal", "length", randomLetters(2 << 20)).build(), LONG));
      assertTrue(task.getMessage().contains("task 'wide-literal' (function length) failed: "
          + "org.apache.kafka.common.errors.RecordTooLargeException: the task could not be written to Kafka: it is "),
          task.getMessage());
      assertTrue(task.getMessage().contains(" bytes encoded with its arguments, over the " + usable + " bytes "
          + topics.tasks(null) + " takes (" + topicLimit), task.getMessage());

      // A result larger than the results topic takes fails its task: refused before it is built where its size is
      // known, as its encoding passes the limit otherwise.
      TaskFailedException early = assertThrows(TaskFailedException.class,
          () -> client.compute(Graph.builder().task("b", "bytes", 2L << 20).build(), LONG));
      assertTrue(early.getMessage().contains("bytes(2097152) would be at least 2097152 bytes encoded, over the "
          + usable + " that the broker scheduler carries (" + topicLimit), early.getMessage());
      TaskFailedException encoded = assertThrows(TaskFailedException.class,
          () -> client.compute(Graph.builder().task("r", "range", 500_000L).build(), LONG));
      assertTrue(encoded.getMessage().contains("the result of task 'r' cannot be sent: encoded, it is over "
          + usable + " bytes, the most " + topics.results() + " takes (" + topicLimit), encoded.getMessage());

      // What grows with a graph in its events fits an events topic of 1 MB: many outputs, a failure's long message.
      GraphBuilder many = Graph.builder();
      for (int i = 0; i < 40_000; i++) {
        many.task("output-with-a-long-name-" + i, "inc", (long) i);
      }
      Map<String, Object> values = client.compute(many.build(), LONG);
      assertEquals(40_000, values.size());
      assertEquals(40_000L, values.get("output-with-a-long-name-39999"));
      TaskFailedException failure = assertThrows(TaskFailedException.class,
          () -> client.compute(Graph.builder().task("long", "fail-at-length", 1_500_000L).build(), LONG));
      assertTrue(failure.getMessage().contains("[... cut: 1500016 characters in all]"), failure.getMessage()
          .substring(failure.getMessage().length() - 100));

      // And the scheduler and the worker went on.
      assertTrue(cluster.workers().get(0).isAlive());
      assertEquals(Map.of("ok", 2L), client.compute(Graph.builder().task("ok", "inc", 1L).build(), LONG));
    }
  }

  private static String randomLetters(int count) {
    java.util.Random random = new java.util.Random(7);
    char[] letters = new char[count];
    for (int i = 0; i < count; i++) {
      letters[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(letters);
  }

  private static long endOffsets(TestKafka kafka, String topic) throws Exception {
    Map<Integer, Long> ends = new java.util.HashMap<>();
    var partitions = kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
    var request = new java.util.HashMap<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>();
    partitions.forEach(p -> request.put(new TopicPartition(topic, p.partition()),
        org.apache.kafka.clients.admin.OffsetSpec.latest()));
    kafka.admin().listOffsets(request).all().get().forEach((partition, info) -> ends.put(partition.partition(),
        info.offset()));
    return ends.values().stream().mapToLong(Long::longValue).sum();
  }
}
