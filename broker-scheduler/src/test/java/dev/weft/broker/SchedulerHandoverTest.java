package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedulers share the graphs as a consumer group: when one stops, another takes over its partitions, rebuilds the
 * unfinished graphs from the graphs and results topics, and finishes them.
 */
@WithKafka
class SchedulerHandoverTest {
  @TempDir
  Path temp;

  /** {@code count} tasks t0, t1... that record their call and sleep, and "total", the sum of their values. */
  private Graph sleepers(int count, long millis) {
    GraphBuilder builder = Graph.builder();
    List<Arg> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      builder.task("t" + i, "count-and-sleep", temp.resolve("calls").toString(), millis, (long) i);
      all.add(Arg.ref("t" + i));
    }
    return builder.task("total", "sum", all).outputs("total").build();
  }

  @Test
  void aGraphOutlivesTheSchedulerThatAcceptedIt(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 2);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Graph graph = sleepers(150, 20);
      // Few tasks in flight, so that most of the graph is still to be scheduled when its scheduler goes.
      GraphFuture future = client.submit(graph, SubmitOptions.defaults().maxInFlight(4));
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (future.done() < 10) {
        assertTrue(System.nanoTime() < deadline, "no progress");
        Thread.sleep(20);
      }
      Map<String, Object> secondConfig = new java.util.HashMap<>(cluster.connection());
      secondConfig.put(SchedulerServiceConfig.NAME, "second-scheduler");
      try (SchedulerService second = SchedulerService.start(secondConfig)) {
        assertTrue(second.awaitAssignment(Duration.ofMinutes(1)));
        cluster.scheduler().close();
        assertEquals(Map.of("total", 150L * 149 / 2), WeftClient.await(future, Duration.ofMinutes(2)));
        assertEquals(null, second.failure());
        // The successor kept the results it read back: only tasks in flight at the hand-over may have run twice
        // (four emitted by each scheduler at most), not the graph again.
        long calls = dev.weft.testkit.TestFunctions.calls(temp.resolve("calls"));
        assertTrue(calls <= 150 + 8, calls + " calls for 150 tasks");
      }
    }
  }

  /**
   * Drill: a second and a third scheduler join and leave while twenty graphs run. Every rebalance moves partitions
   * between running loops, with commits in flight; none of it may stop a loop or lose a graph.
   */
  @Test
  void schedulersJoiningAndLeavingWhileTwentyGraphsRunLoseNothing(TestKafka kafka) throws Exception {
    Map<String, Object> frequentCommits = Map.of(SchedulerServiceConfig.COMMIT_INTERVAL_MS, "20");
    try (WeftCluster cluster = WeftCluster.start(kafka, 2, frequentCommits);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Drill drill = new Drill("schedulers-join-and-leave");
      List<GraphFuture> graphs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        graphs.add(drill.track(client.submit(sleepers(40, 15), SubmitOptions.defaults().maxInFlight(3)), "total",
            40L * 39 / 2));
      }
      Drill.awaitProgress(graphs.get(0), 3, Duration.ofMinutes(1));
      List<SchedulerService> all = new ArrayList<>(List.of(cluster.scheduler()));
      int rebalances = 0;
      for (int round = 0; round < 3; round++) {
        Map<String, Object> config = new HashMap<>(cluster.connection());
        config.putAll(frequentCommits);
        config.put(SchedulerServiceConfig.NAME, "joining-" + round);
        SchedulerService second = SchedulerService.start(config);
        all.add(second);
        assertTrue(second.awaitAssignment(Duration.ofMinutes(1)), "the joining scheduler got partitions");
        config.put(SchedulerServiceConfig.NAME, "joining-" + round + "-b");
        SchedulerService third = SchedulerService.start(config);
        all.add(third);
        assertTrue(third.awaitAssignment(Duration.ofMinutes(1)), "the third scheduler got partitions");
        second.close();
        third.close();
        rebalances += 4;
      }
      drill.note("%d rebalances", rebalances);
      drill.awaitAll(Duration.ofMinutes(3));
      for (SchedulerService scheduler : all) {
        assertEquals(null, scheduler.failure(), "a scheduler's loop stopped");
      }
    }
  }

  /** Members of the schedulers' group that hold partitions. */
  private static int activeSchedulers(TestKafka kafka, Topics topics) throws Exception {
    String group = topics.schedulerGroup();
    try {
      return (int) kafka.admin().describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
          .filter(member -> !member.assignment().topicPartitions().isEmpty()).count();
    } catch (ExecutionException e) {
      return 0;
    }
  }

  private static void awaitActiveSchedulers(TestKafka kafka, Topics topics, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (activeSchedulers(kafka, topics) != count) {
      assertTrue(System.nanoTime() < deadline, count + " schedulers never held partitions");
      Thread.sleep(50);
    }
  }

  /**
   * Drill: kill -9 of a scheduler that owns running graphs, with a standby present, in two trials. The standby takes
   * over the dead one's partitions once its session expires, rebuilds their graphs and finishes them: no graph may be
   * left unowned. Recovery: from the kill until every unfinished graph has progressed again.
   */
  @Test
  void aStandbyFinishesTheGraphsOfASchedulerKilledWithSigkill(TestKafka kafka) throws Exception {
    for (int trial = 1; trial <= 2; trial++) {
      try (WeftCluster cluster = WeftCluster.withoutScheduler(kafka, 2, Map.of());
           WeftClient client = WeftClient.connect(cluster.connection())) {
        Topics topics = new WeftKafkaConfig(cluster.connection()).topics();
        Process first = cluster.startSchedulerProcess("first");
        awaitActiveSchedulers(kafka, topics, 1);
        cluster.startSchedulerProcess("standby");
        awaitActiveSchedulers(kafka, topics, 2);
        Drill drill = new Drill("scheduler-sigkill-with-standby-" + trial);
        List<GraphFuture> graphs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          graphs.add(drill.track(client.submit(sleepers(60, 40), SubmitOptions.defaults().maxInFlight(2)), "total",
              60L * 59 / 2));
        }
        Drill.awaitProgress(graphs, 6 * 61 / 4, Duration.ofMinutes(1));
        int[] atKill = Drill.doneOf(graphs);
        first.destroyForcibly();
        long killed = System.nanoTime();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, first.exitValue(), "killed with SIGKILL");
        Drill.awaitEveryGraphMovedOn(graphs, atKill, Duration.ofMinutes(2));
        drill.note("every graph progressing again %.1f s after the kill", Drill.secondsSince(killed));
        drill.awaitAll(Duration.ofMinutes(2));
      }
    }
  }

  @Test
  void aGraphThatFailedBeforeTheHandOverStaysFailed(TestKafka kafka) throws Exception {
    // One graphs partition, so that the long graph keeps the failed one behind the committed position: the successor
    // reads both again.
    try (WeftCluster cluster = WeftCluster.start(kafka, 1, Map.of(WeftKafkaConfig.GRAPH_PARTITIONS, "1"));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      GraphFuture running = client.submit(sleepers(60, 30), SubmitOptions.defaults().maxInFlight(2));
      Graph failing = Graph.builder().task("ok", "inc", 1L).task("bad", "fail", Arg.ref("ok")).outputs("bad").build();
      ExecutionException failed = assertThrows(ExecutionException.class,
          () -> client.submit(failing).get(1, TimeUnit.MINUTES));
      assertTrue(failed.getCause().getMessage().contains("'bad'"), failed.getCause().getMessage());
      assertTrue(running.done() < 61, "the long graph still runs at the hand-over");

      Map<String, Object> secondConfig = new HashMap<>(cluster.connection());
      secondConfig.put(SchedulerServiceConfig.NAME, "second-scheduler");
      try (SchedulerService second = SchedulerService.start(secondConfig)) {
        cluster.scheduler().close(); // the one partition moves to the second scheduler
        assertTrue(second.awaitAssignment(Duration.ofMinutes(1)));
        assertEquals(Map.of("total", 60L * 59 / 2), WeftClient.await(running, Duration.ofMinutes(2)));
        // Had the successor revived the failed graph, its failed task would be sent again, skipped by the workers
        // (the graph ended), and the graph would never end.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (second.unfinishedGraphs() > 0) {
          assertTrue(System.nanoTime() < deadline, second.unfinishedGraphs() + " graphs never end");
          Thread.sleep(20);
        }
        assertEquals(null, second.failure());
      }
    }
  }

  @Test
  void aSuccessorWhoseResultsWereDeletedRunsTheirTasksAgain(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1, Map.of(WeftKafkaConfig.GRAPH_PARTITIONS, "1",
            SchedulerServiceConfig.COMMIT_INTERVAL_MS, "100"));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      GraphFuture running = client.submit(sleepers(40, 30), SubmitOptions.defaults().maxInFlight(2));
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (running.done() < 10) {
        assertTrue(System.nanoTime() < deadline, "no progress");
        Thread.sleep(20);
      }
      // What retention would do to a graph that runs for longer than the results topic keeps records.
      TopicPartition results = new TopicPartition(new WeftKafkaConfig(cluster.connection()).topics().results(), 0);
      long end = kafka.admin().listOffsets(Map.of(results, OffsetSpec.latest())).all().get().get(results).offset();
      kafka.admin().deleteRecords(Map.of(results, RecordsToDelete.beforeOffset(end))).all().get();

      Map<String, Object> secondConfig = new HashMap<>(cluster.connection());
      secondConfig.put(SchedulerServiceConfig.NAME, "second-scheduler");
      try (SchedulerService second = SchedulerService.start(secondConfig)) {
        cluster.scheduler().close();
        assertTrue(second.awaitAssignment(Duration.ofMinutes(1)));
        assertEquals(Map.of("total", 40L * 39 / 2), WeftClient.await(running, Duration.ofMinutes(1)));
        assertEquals(null, second.failure());
      }
    }
  }

  @Test
  void aStoppedSchedulerCommitsHowFarItRead(TestKafka kafka) throws Exception {
    // Periodic commits off: only the commit made while stopping can record the finished graph.
    try (WeftCluster cluster = WeftCluster.start(kafka, 1,
            Map.of(SchedulerServiceConfig.COMMIT_INTERVAL_MS, String.valueOf(Duration.ofHours(1).toMillis())));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Graph graph = Graph.builder().task("a", "inc", 1L).outputs("a").build();
      assertEquals(Map.of("a", 2L), WeftClient.await(client.submit(graph), Duration.ofMinutes(1)));
      cluster.scheduler().close();
      assertEquals(null, cluster.scheduler().failure());

      Topics topics = new WeftKafkaConfig(cluster.connection()).topics();
      Map<TopicPartition, Long> ends = new HashMap<>();
      kafka.admin().listOffsets(partitionsOf(kafka, topics.graphs()).stream()
              .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
          .all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
      Map<TopicPartition, Long> committed = new HashMap<>();
      kafka.admin().listConsumerGroupOffsets(topics.schedulerGroup()).partitionsToOffsetAndMetadata().get()
          .forEach((partition, offset) -> committed.put(partition, offset.offset()));
      ends.forEach((partition, end) -> {
        if (end > 0) {
          assertEquals(end, committed.get(partition), "committed offset of " + partition);
        }
      });
      assertTrue(ends.values().stream().anyMatch(end -> end > 0), "the graph was submitted: " + ends);
    }
  }

  private static List<TopicPartition> partitionsOf(TestKafka kafka, String topic) throws Exception {
    return kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
  }
}
