package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.KafkaClients;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WorkerReport;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.Task;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The workers' reports as the workers topic holds them, against the real broker: the tasks running by thread, each
 * finished task once with where its result went, a sample past the cap with the rest counted, a last report leaving.
 */
@WithKafka
class WorkerReportsTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static InJvmDeployment deployment;
  private static WeftClient client;
  private static SchemaRegistryClient registry;

  @BeforeAll
  static void start(TestKafka kafka) throws Exception {
    deployment = new InJvmDeployment(kafka);
    client = WeftClient.connect(deployment.connection());
    registry = new WeftKafkaConfig(deployment.connection()).registryClient();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (deployment != null) {
      deployment.close();
    }
  }

  /** The reports on the workers topic, read from its start. */
  private static final class Reports implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final WireCodec codec = new WireCodec(registry);
    private final String topic;
    final List<WorkerReport> read = new ArrayList<>();

    Reports() {
      topic = new WeftKafkaConfig(deployment.connection()).topics().workers();
      consumer = KafkaClients.plainConsumer(deployment.connection(), "reports-reader");
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
    }

    /** Reads until the reports of {@code worker} read so far match {@code condition}; returns them. */
    List<WorkerReport> await(String worker, String what, Predicate<List<WorkerReport>> condition) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        List<WorkerReport> of = read.stream().filter(report -> report.worker().equals(worker)).toList();
        if (condition.test(of)) {
          return of;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("not within " + WAIT + ": " + what + "; read " + of);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          WorkerReport report = codec.decodeWorkerReport(topic, record.value());
          assertEquals(report.worker(), record.key(), "keyed by the worker's name");
          read.add(report);
        }
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static List<WorkerReport.TaskSpan> spans(List<WorkerReport> reports, String graphId) {
    return reports.stream().flatMap(report -> report.finished().stream())
        .filter(span -> span.graphId().equals(graphId)).toList();
  }

  private static long accounted(List<WorkerReport> reports) {
    return reports.stream().mapToLong(report -> report.finished().size() + report.finishedNotListed()).sum();
  }

  @Test
  void reportsShowTheTasksRunningByThreadAndEachFinishedTaskOnceWithWhereItsResultWent() throws Exception {
    Worker worker = deployment.startWorker("sleeper", Map.of(WorkerConfig.POOL, "sleepers", WorkerConfig.THREADS, "3",
        WorkerConfig.REPORT_INTERVAL_MS, "100"));
    GraphBuilder builder = Graph.builder();
    for (int i = 0; i < 6; i++) {
      builder.task(Task.of("nap-" + i, "sleep", 1_000L, "rested " + i).withPool("sleepers"));
    }
    try (Reports reports = new Reports()) {
      GraphFuture graph = client.submit(builder.build());
      List<WorkerReport> busy = reports.await("sleeper", "a report of three of the graph's tasks running",
          of -> of.stream().anyMatch(report -> report.running().stream()
              .filter(task -> task.graphId().equals(graph.graphId())).count() == 3));
      WorkerReport three = busy.stream().filter(report -> report.running().size() == 3).findFirst().orElseThrow();
      assertEquals(Set.of(1, 2, 3), three.running().stream().map(WorkerReport.RunningTask::thread)
          .collect(Collectors.toSet()), "one task on each of the three threads: " + three.running());
      assertTrue(three.running().stream().allMatch(task -> task.function().equals("sleep")
          && task.taskKey().startsWith("nap-") && task.startMicros() > 0), three.running().toString());
      assertEquals(List.of("sleepers", 3), List.of(three.pool(), three.threads()));
      assertEquals(List.of(0, 1, 2, 3), three.partitions(), "the pool's four partitions, all this worker's");

      WeftClient.await(graph, WAIT);
      Map<String, ResultRef> locations = graph.locations();
      List<WorkerReport> after = reports.await("sleeper", "the spans of the graph's six tasks",
          of -> spans(of, graph.graphId()).size() >= 6);
      List<WorkerReport.TaskSpan> spans = spans(after, graph.graphId());
      assertEquals(6, spans.size(), "each task once: " + spans);
      Map<String, ResultRef> reported = new HashMap<>();
      for (WorkerReport.TaskSpan span : spans) {
        reported.put(span.taskKey(), span.result());
        assertTrue(span.succeeded() && span.function().equals("sleep") && span.thread() >= 1 && span.thread() <= 3
            && span.durationMicros() >= 1_000_000 && span.bytesIn() == 0 && span.bytesOut() > 0, span.toString());
      }
      assertEquals(locations, reported, "where each result went, as the graph's completion says");

      worker.close();
      List<WorkerReport> all = reports.await("sleeper", "a last report, leaving",
          of -> !of.isEmpty() && of.get(of.size() - 1).leaving());
      WorkerReport last = all.get(all.size() - 1);
      assertEquals(6, last.tasksRun());
      assertEquals(6, accounted(all), "every task run is in a report, listed or counted");
      assertEquals(1, all.stream().filter(WorkerReport::leaving).count());
    } finally {
      worker.close();
    }
  }

  /**
   * With a cap of 3 and an interval longer than the test, the one report is the last: it lists a sample of 3 tasks,
   * counts the other 17, and the 3 are of the graph, each with where its result went.
   */
  @Test
  void pastTheCapAReportListsASampleAndCountsTheRest() throws Exception {
    Worker worker = deployment.startWorker("capped", Map.of(WorkerConfig.POOL, "capped",
        WorkerConfig.REPORT_MAX_TASKS, "3", WorkerConfig.REPORT_INTERVAL_MS, "3600000"));
    GraphBuilder builder = Graph.builder();
    for (int i = 0; i < 20; i++) {
      builder.task(Task.of("inc-" + i, "inc", (long) i).withPool("capped"));
    }
    try (Reports reports = new Reports()) {
      GraphFuture graph = client.submit(builder.build());
      WeftClient.await(graph, WAIT);
      worker.close();
      List<WorkerReport> all = reports.await("capped", "a last report, leaving",
          of -> !of.isEmpty() && of.get(of.size() - 1).leaving());
      assertEquals(1, all.size(), "no report before the interval: " + all);
      WorkerReport last = all.get(0);
      assertEquals(List.of(3, 17L, 20L), List.of(last.finished().size(), last.finishedNotListed(), last.tasksRun()));
      Set<String> keys = new HashSet<>();
      for (WorkerReport.TaskSpan span : last.finished()) {
        assertTrue(keys.add(span.taskKey()), "listed once: " + span);
        assertEquals(graph.locations().get(span.taskKey()), span.result(), span.toString());
      }
    } finally {
      worker.close();
    }
  }
}
