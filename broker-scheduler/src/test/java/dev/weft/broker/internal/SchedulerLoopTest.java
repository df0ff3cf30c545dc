package dev.weft.broker.internal;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.FixedTopicAdmin;
import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.MemorySchemaRegistry;
import dev.weft.broker.protocol.ReadyTask;
import dev.weft.broker.protocol.TaskError;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The broker scheduler's loop driven turn by turn with Kafka's mock clients, in milliseconds: the paths that end to
 * end can only be reached by killing brokers and schedulers. A takeover, a duplicate result, a stale attempt, a send
 * Kafka refuses for a while or for good, and a record that is no graph.
 */
class SchedulerLoopTest {
  private static final Topics TOPICS = Topics.withDefaultPrefix();
  private static final String TASKS = TOPICS.tasks(null);
  private static final TopicPartition GRAPHS_0 = new TopicPartition(TOPICS.graphs(), 0);
  private static final TopicPartition RESULTS_0 = new TopicPartition(TOPICS.results(), 0);
  private static final WireCodec CODEC = new WireCodec(new MemorySchemaRegistry());

  /** What Kafka holds, shared by the schedulers that take turns owning it. */
  private static final class Log {
    final List<ConsumerRecord<String, byte[]>> graphs = new ArrayList<>();
    final List<ConsumerRecord<String, byte[]>> results = new ArrayList<>();
    /** What the schedulers committed, as they committed it (MockConsumer overwrites it when a partition is revoked). */
    final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();

    void submit(Graph graph) {
      GraphCommand.Submit submit = new GraphCommand.Submit(graph.id(), graph, null, Map.of(), 0, false, "test");
      graphs.add(new ConsumerRecord<>(TOPICS.graphs(), 0, graphs.size(), graph.id(),
          CODEC.encode(TOPICS.graphs(), submit)));
    }

    void result(ReadyTask task, boolean succeeded) {
      TaskResult result = succeeded
          ? TaskResult.success(task.graphId(), task.taskKey(), task.attempt(), "w", 1, 42L)
          : TaskResult.failure(task.graphId(), task.taskKey(), task.attempt(), "w", 1,
              new TaskError("java.lang.IllegalStateException", "boom", "", true));
      results.add(new ConsumerRecord<>(TOPICS.results(), 0, results.size(), task.graphId(),
          CODEC.encode(TOPICS.results(), result.withTaskPartition(0))));
    }
  }

  /** One scheduler: its loop over mock clients reading and writing {@link Log}. */
  private static final class Scheduler {
    final Log log;
    final MockConsumer<String, byte[]> graphs;
    final MockConsumer<String, byte[]> results = new MockConsumer<>("none");
    final MockProducer<String, byte[]> producer;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final SchedulerLoop loop;
    int graphsFed;
    int resultsFed;
    /** Sends the mock producer answered, when it does not answer them itself. */
    int answered;

    Scheduler(Log log, boolean autoComplete) {
      this(log, autoComplete, Duration.ofHours(1));
    }

    Scheduler(Log log, boolean autoComplete, Duration progressInterval) {
      this.log = log;
      this.graphs = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
          super.commitSync(offsets);
          log.committed.putAll(offsets);
        }
      };
      Node node = new Node(0, "127.0.0.1", 9092);
      List<PartitionInfo> partitions = new ArrayList<>();
      for (String topic : List.of(TOPICS.graphs(), TOPICS.results(), TOPICS.events(), TOPICS.deadLetters(), TASKS)) {
        partitions.add(new PartitionInfo(topic, 0, node, new Node[] {node}, new Node[] {node}));
      }
      this.producer = new MockProducer<>(new Cluster("test", List.of(node), partitions, Set.of(), Set.of()),
          autoComplete, null, new StringSerializer(), new ByteArraySerializer());
      SchedulerLoop.Settings settings = new SchedulerLoop.Settings(1_000, progressInterval, Duration.ofHours(1),
          Duration.ZERO, 1 << 20);
      this.loop = new SchedulerLoop(graphs, results, producer, CODEC, TOPICS, new FixedTopicAdmin(), null, settings,
          meters, () -> { });
    }

    /** The group gives this scheduler partition 0, with what earlier owners committed. */
    Scheduler own() {
      graphs.commitSync(Map.copyOf(log.committed));
      graphs.updateBeginningOffsets(Map.of(GRAPHS_0, 0L));
      results.updateBeginningOffsets(Map.of(RESULTS_0, 0L));
      updateEnds();
      graphs.rebalance(List.of(GRAPHS_0));
      return this;
    }

    /** The group takes partition 0 away: the scheduler commits what it read. */
    void handOver() {
      graphs.rebalance(List.of());
    }

    void updateEnds() {
      graphs.updateEndOffsets(Map.of(GRAPHS_0, (long) log.graphs.size()));
      results.updateEndOffsets(Map.of(RESULTS_0, (long) log.results.size()));
    }

    /** Turns the loop, handing its consumers what was written to the log since. */
    void turns(int count) {
      for (int i = 0; i < count; i++) {
        updateEnds();
        if (graphs.assignment().contains(GRAPHS_0)) {
          while (graphsFed < log.graphs.size()) {
            graphs.addRecord(log.graphs.get(graphsFed++));
          }
        }
        if (results.assignment().contains(RESULTS_0)) {
          while (resultsFed < log.results.size()) {
            results.addRecord(log.results.get(resultsFed++));
          }
        }
        loop.turn();
      }
    }

    List<ReadyTask> tasksSent() {
      return sent(TASKS).stream().map(record -> CODEC.decodeTask(TASKS, record.value())).toList();
    }

    List<String> taskKeysSent() {
      return tasksSent().stream().map(task -> task.taskKey() + "#" + task.attempt()).toList();
    }

    ReadyTask sentTask(String key) {
      return tasksSent().stream().filter(task -> task.taskKey().equals(key)).reduce((first, last) -> last)
          .orElseThrow(() -> new AssertionError("no task " + key + " sent; sent " + taskKeysSent()));
    }

    List<GraphEvent> events() {
      return sent(TOPICS.events()).stream().map(record -> CODEC.decodeEvent(TOPICS.events(), record.value()))
          .toList();
    }

    List<GraphEvent> endings() {
      return events().stream().filter(event -> event.type() != GraphEvent.Type.ACCEPTED
          && event.type() != GraphEvent.Type.PROGRESS).toList();
    }

    /** A counter of the loop's meters, summed over its tags (0 when it was never made). */
    double counted(String name) {
      return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    List<ProducerRecord<String, byte[]>> sent(String topic) {
      return producer.history().stream().filter(record -> record.topic().equals(topic)).toList();
    }
  }

  /** a and c alone, b after a. */
  private static Graph graph() {
    return Graph.builder().id("g").task("a", "inc", 1L).task(Task.of("b", "inc", ref("a")).withRetries(1))
        .task("c", "inc", 2L).build();
  }

  @Test
  void aGraphRunsToItsEndingWithEachTaskSentOnce() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, true).own();
    log.submit(graph());
    scheduler.turns(3);
    assertEquals(List.of("a#1", "c#1"), scheduler.taskKeysSent().stream().sorted().toList());
    log.result(scheduler.sentTask("a"), true);
    log.result(scheduler.sentTask("c"), true);
    scheduler.turns(2);
    assertEquals(1, scheduler.sentTask("b").attempt());
    log.result(scheduler.sentTask("b"), true);
    scheduler.turns(2);
    List<GraphEvent> endings = scheduler.endings();
    assertEquals(1, endings.size(), "endings: " + endings);
    assertEquals(GraphEvent.Type.COMPLETED, endings.get(0).type());
    assertEquals(Set.of("b", "c"), endings.get(0).locations().keySet(), "a graph's outputs are its sinks");
    assertEquals(3, scheduler.tasksSent().size());
    assertEquals(List.of(3.0, 3.0, 1.0, 1.0), List.of(scheduler.counted("weft.tasks.emitted"),
        scheduler.counted("weft.tasks.completed"), scheduler.counted("weft.graphs.submitted"),
        scheduler.counted("weft.graphs.completed")), "emitted, completed, graphs submitted and completed");
    assertEquals(3, scheduler.meters.get("weft.task.duration").tag("function", "inc").timer().count());
  }

  /** Dask's progress page, by function: the acceptance says each function's total, each progress event its done. */
  @Test
  void acceptanceAndProgressSayHowManyTasksOfEachFunctionAreDone() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, true, Duration.ZERO).own();
    log.submit(Graph.builder().id("g").task("a", "inc", 1L).task("b", "inc", ref("a")).task("c", "dec", 2L)
        .build());
    scheduler.turns(2);
    GraphEvent accepted = scheduler.events().get(0);
    assertEquals(GraphEvent.Type.ACCEPTED, accepted.type());
    assertEquals(List.of(new GraphEvent.FunctionProgress("inc", 0, 2), new GraphEvent.FunctionProgress("dec", 0, 1)),
        accepted.functions());
    log.result(scheduler.sentTask("a"), true);
    log.result(scheduler.sentTask("c"), true);
    log.result(scheduler.sentTask("c"), true); // a duplicate counts once
    scheduler.turns(2);
    List<GraphEvent> progress = scheduler.events().stream()
        .filter(event -> event.type() == GraphEvent.Type.PROGRESS).toList();
    assertEquals(List.of(new GraphEvent.FunctionProgress("inc", 1, 2), new GraphEvent.FunctionProgress("dec", 1, 1)),
        progress.get(progress.size() - 1).functions());
    assertEquals(2, progress.get(progress.size() - 1).done());
    log.result(scheduler.sentTask("b"), false); // b fails, with no retries: its ending says how far each function got
    scheduler.turns(3);
    List<GraphEvent> endings = scheduler.endings();
    assertEquals(GraphEvent.Type.FAILED, endings.get(endings.size() - 1).type(), "endings: " + endings);
    assertEquals(List.of(new GraphEvent.FunctionProgress("inc", 1, 2), new GraphEvent.FunctionProgress("dec", 1, 1)),
        endings.get(endings.size() - 1).functions());
  }

  @Test
  void aDuplicateResultAndAStaleFailureChangeNothing() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, true).own();
    log.submit(graph());
    scheduler.turns(2);
    ReadyTask a = scheduler.sentTask("a");
    log.result(a, true);
    log.result(a, true); // a redelivered task ran twice
    scheduler.turns(2);
    ReadyTask b = scheduler.sentTask("b");
    log.result(b, false); // b may be retried once
    scheduler.turns(2);
    assertEquals(2, scheduler.sentTask("b").attempt());
    log.result(b, false); // the first attempt's failure again: that attempt is over
    scheduler.turns(2);
    assertEquals(List.of("a#1", "b#1", "b#2", "c#1"), scheduler.taskKeysSent().stream().sorted().toList());
    assertEquals(List.of(), scheduler.endings(), "the graph runs on");
    assertEquals(List.of(4.0, 1.0, 1.0, 0.0), List.of(scheduler.counted("weft.tasks.emitted"),
        scheduler.counted("weft.tasks.completed"), scheduler.counted("weft.tasks.retried"),
        scheduler.counted("weft.tasks.failed")), "emitted, completed, retried, failed: duplicates count nothing");
  }

  @Test
  void aSchedulerTakingOverRebuildsTheGraphAndSendsOnlyWhatHasNoResult() {
    Log log = new Log();
    Scheduler first = new Scheduler(log, true).own();
    log.submit(graph());
    first.turns(2);
    log.result(first.sentTask("a"), true); // c's result never comes: its worker died with the first scheduler
    first.turns(2);
    assertEquals(List.of("a#1", "b#1", "c#1"), first.taskKeysSent().stream().sorted().toList());
    first.handOver();
    assertEquals("results=0", log.committed.get(GRAPHS_0).metadata(), "the graph's results start at 0");
    assertEquals(0, log.committed.get(GRAPHS_0).offset(), "the graph is not over: it is read again");

    Scheduler second = new Scheduler(log, true).own();
    second.turns(4);
    // a's result was read again: a is not sent. b and c were in flight, with no result: they are sent again.
    assertEquals(List.of("b", "c"), second.tasksSent().stream().map(ReadyTask::taskKey).sorted().toList());
    assertTrue(second.events().stream().noneMatch(event -> event.type() == GraphEvent.Type.TASK_DONE),
        "no events for what the previous owner published");
    log.result(second.sentTask("b"), true);
    log.result(second.sentTask("c"), true);
    second.turns(2);
    assertEquals(List.of(GraphEvent.Type.COMPLETED), second.endings().stream().map(GraphEvent::type).toList());
    second.handOver();
    assertEquals(1, log.committed.get(GRAPHS_0).offset(), "the graph ended: it is not read again");
    assertEquals(List.of(2.0, 2.0, 1.0, 1.0), List.of(second.counted("weft.tasks.emitted"),
        second.counted("weft.tasks.completed"), second.counted("weft.graphs.submitted"),
        second.counted("weft.graphs.completed")), "a's result, which the first scheduler counted, is not counted");
  }

  @Test
  void aTaskKafkaRefusesForAWhileIsSentAgain() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, false).own();
    log.submit(Graph.builder().id("g").task("a", "inc", 1L).build());
    scheduler.turns(1);
    assertEquals(List.of("a#1"), scheduler.taskKeysSent());
    failSends(scheduler, TASKS, new TimeoutException("the broker is away"));
    scheduler.turns(1);
    assertEquals(List.of("a#1", "a#1"), scheduler.taskKeysSent(), "the same attempt, sent again");
    assertEquals(List.of(), scheduler.endings());
  }

  @Test
  void aTaskKafkaRefusesForGoodFailsItsGraphSayingWhy() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, false).own();
    log.submit(Graph.builder().id("g").task("a", "inc", 1L).build());
    scheduler.turns(1);
    failSends(scheduler, TASKS, new RecordTooLargeException("the record is too large"));
    scheduler.turns(1);
    completeSends(scheduler);
    List<GraphEvent> endings = scheduler.endings();
    assertEquals(1, endings.size(), "endings: " + endings);
    assertEquals(GraphEvent.Type.FAILED, endings.get(0).type());
    assertEquals("a", endings.get(0).taskKey());
    assertTrue(endings.get(0).message().contains("could not be written to Kafka: the record is too large"),
        endings.get(0).message());
    assertEquals(List.of("a#1"), scheduler.taskKeysSent(), "not sent again");
  }

  @Test
  void anEndingKafkaRefusedHoldsTheCommitAtItsGraphUntilItIsWritten() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, false).own();
    log.submit(Graph.builder().id("g").task("a", "inc", 1L).build());
    scheduler.turns(1);
    completeSends(scheduler);
    log.result(scheduler.sentTask("a"), true);
    scheduler.turns(1);
    failSends(scheduler, TOPICS.events(), new TimeoutException("the broker is away"));
    completeSends(scheduler);
    scheduler.handOver();
    assertEquals(0, log.committed.get(GRAPHS_0).offset(), "a successor must end the graph again");

    Scheduler second = new Scheduler(log, true).own();
    second.turns(3);
    assertEquals(List.of(GraphEvent.Type.COMPLETED), second.endings().stream().map(GraphEvent::type).toList(),
        "the successor ends it, from the result it reads again, without running a");
    assertEquals(List.of(), second.tasksSent());
  }

  @Test
  void aRecordThatIsNoGraphIsPutAsideAndTheNextGraphRuns() {
    Log log = new Log();
    Scheduler scheduler = new Scheduler(log, true).own();
    log.graphs.add(new ConsumerRecord<>(TOPICS.graphs(), 0, 0, null, "not avro".getBytes(StandardCharsets.UTF_8)));
    log.submit(Graph.builder().id("g").task("a", "inc", 1L).build());
    scheduler.turns(2);
    assertEquals(1, scheduler.sent(TOPICS.deadLetters()).size());
    assertEquals(List.of("a#1"), scheduler.taskKeysSent());
    assertEquals(1.0, scheduler.counted("weft.dead.letters"));
  }

  /** Answers every send not answered yet, in order: those to {@code topic} with {@code error}. */
  private static void failSends(Scheduler scheduler, String topic, RuntimeException error) {
    List<ProducerRecord<String, byte[]>> history = scheduler.producer.history();
    while (scheduler.answered < history.size()) {
      boolean failed = history.get(scheduler.answered).topic().equals(topic);
      if (!(failed ? scheduler.producer.errorNext(error) : scheduler.producer.completeNext())) {
        return;
      }
      scheduler.answered++;
    }
  }

  private static void completeSends(Scheduler scheduler) {
    failSends(scheduler, null, null);
  }
}
