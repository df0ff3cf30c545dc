package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.Topics;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A worker commits the tasks it finished at its commit interval, not after every task, and at once when it stops. */
@WithKafka
class WorkerCommitTest {
  @Test
  void aWorkerCommitsAtItsIntervalAndWhenItStops(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 0);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Map<String, Object> settings = new HashMap<>(cluster.connection());
      settings.put(WorkerConfig.NAME, "in-process-worker");
      settings.put(WorkerConfig.THREADS, "1");
      settings.put(WorkerConfig.COMMIT_INTERVAL_MS, String.valueOf(Duration.ofHours(1).toMillis()));
      Topics topics = new WorkerConfig(settings).topics();
      String group = topics.workerGroup(Topics.DEFAULT_POOL);
      Admin admin = kafka.admin();

      Worker worker = Worker.start(settings);
      try {
        assertTrue(worker.awaitAssignment(Duration.ofMinutes(1)), "the worker got partitions");
        GraphBuilder builder = Graph.builder();
        List<Arg> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          builder.task("x" + i, "inc", (long) i);
          all.add(Arg.ref("x" + i));
        }
        Graph graph = builder.task("total", "sum", all).outputs("total").build();
        assertEquals(Map.of("total", 210L), WeftClient.await(client.submit(graph), Duration.ofMinutes(1)));
        assertEquals(Map.of(), committed(admin, group), "nothing committed before the interval passed");
      } finally {
        worker.close();
      }
      assertEquals(null, worker.failure());
      Map<TopicPartition, Long> ends = endOffsets(admin, topics.tasks(Topics.DEFAULT_POOL));
      ends.values().removeIf(end -> end == 0);
      assertTrue(!ends.isEmpty(), "tasks were written");
      assertEquals(ends, committed(admin, group), "every finished task committed when the worker stopped");
    }
  }

  private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
        .partitions().stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
        .all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }
}
