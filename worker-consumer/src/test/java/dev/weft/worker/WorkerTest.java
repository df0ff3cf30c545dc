package dev.weft.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.FixedTopicAdmin;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.KafkaClientSupplier;
import dev.weft.broker.protocol.MemorySchemaRegistry;
import dev.weft.broker.protocol.ReadyTask;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.TaskArg;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WorkerReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The worker over Kafka's mock clients, in milliseconds: what it writes, when it commits, and what it does with a
 * send Kafka gave up on, a task handed to it again and a task of a graph that ended. The worker's threads are real, so
 * the test waits for what it expects, never for a while.
 */
class WorkerTest {
  private static final Topics TOPICS = Topics.withDefaultPrefix();
  private static final String TASKS = TOPICS.tasks(Topics.DEFAULT_POOL);
  private static final String RESULTS = TOPICS.results();
  private static final TopicPartition TASKS_0 = new TopicPartition(TASKS, 0);
  private static final TopicPartition EVENTS_0 = new TopicPartition(TOPICS.events(), 0);
  /** One registry for the test's codec and the worker's, so that both know the same schema ids. */
  private static final MemorySchemaRegistry REGISTRY = new MemorySchemaRegistry();
  private static final WireCodec CODEC = new WireCodec(REGISTRY);
  private static final int RESULTS_PARTITIONS = 3;
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /** Kafka as the worker sees it: its tasks partition, its producer, and the events it follows. */
  private static final class MockKafka implements KafkaClientSupplier {
    final Tasks tasks = new Tasks();
    final Events events = new Events();
    final MockConsumer<String, byte[]> inputs = new MockConsumer<>("none");
    final MockProducer<String, byte[]> producer;
    /** The producer of the worker's reports, its own: it answers every send at once. */
    final MockProducer<String, byte[]> reports;

    MockKafka(boolean autoComplete) {
      this(autoComplete, new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()));
    }

    MockKafka(boolean autoComplete, MockProducer<String, byte[]> reports) {
      this.reports = reports;
      Node node = new Node(0, "127.0.0.1", 9092);
      List<PartitionInfo> partitions = new ArrayList<>();
      for (int partition = 0; partition < RESULTS_PARTITIONS; partition++) {
        partitions.add(new PartitionInfo(RESULTS, partition, node, new Node[] {node}, new Node[] {node}));
      }
      partitions.add(new PartitionInfo(TOPICS.deadLetters(), 0, node, new Node[] {node}, new Node[] {node}));
      this.producer = new MockProducer<>(new Cluster("test", List.of(node), partitions, Set.of(), Set.of()),
          autoComplete, null, new StringSerializer(), new ByteArraySerializer());
      tasks.updateBeginningOffsets(Map.of(TASKS_0, 0L));
      events.updatePartitions(TOPICS.events(),
          List.of(new PartitionInfo(TOPICS.events(), 0, node, new Node[] {node}, new Node[] {node})));
      events.updateBeginningOffsets(Map.of(EVENTS_0, 0L));
      events.updateEndOffsets(Map.of(EVENTS_0, 0L));
    }

    @Override
    public Producer<String, byte[]> producer(Map<String, Object> clientProperties, String clientId) {
      return clientId.endsWith("-reports") ? reports : producer;
    }

    @Override
    public Consumer<String, byte[]> groupConsumer(Map<String, Object> clientProperties, String group,
        String clientId) {
      return tasks;
    }

    @Override
    public Consumer<String, byte[]> plainConsumer(Map<String, Object> clientProperties, String clientId) {
      return clientId.endsWith("-events") ? events : inputs;
    }

    /** The group gives the worker partition 0, on its poll thread as Kafka would. */
    void assign() {
      tasks.schedulePollTask(() -> tasks.rebalance(List.of(TASKS_0)));
    }

    /** The worker's membership lapses (it is not asked to commit), then the group gives it partition 0 again. */
    void loseAndReassign() {
      tasks.schedulePollTask(() -> tasks.losePartitions(List.of(TASKS_0)));
      assign();
    }

    List<WorkerReport> reports() {
      return reports.history().stream().map(record -> CODEC.decodeWorkerReport(TOPICS.workers(), record.value()))
          .toList();
    }

    List<ProducerRecord<String, byte[]>> results() {
      return producer.history().stream().filter(record -> record.topic().equals(RESULTS)).toList();
    }

    /** The offset of partition 0 the worker committed last: the tasks before it are done. */
    long committed() {
      OffsetAndMetadata committed = tasks.commits.get(TASKS_0);
      return committed == null ? 0 : committed.offset();
    }
  }

  /** The tasks partition; it keeps what was committed, and counts polls so that a test can wait for turns. */
  private static final class Tasks extends PolledConsumer {
    final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();

    Tasks() {
      super("earliest");
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
        OffsetCommitCallback callback) {
      commits.putAll(offsets);
      super.commitAsync(offsets, callback);
    }
  }

  /** The events topic, read from its start ({@code offsetsForTimes} is not in MockConsumer). */
  private static final class Events extends PolledConsumer {
    Events() {
      super("earliest");
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> times) {
      Map<TopicPartition, OffsetAndTimestamp> starts = new HashMap<>();
      times.forEach((partition, time) -> starts.put(partition, new OffsetAndTimestamp(0, time)));
      return starts;
    }
  }

  /**
   * A consumer whose empty poll waits a little, as Kafka's does, rather than spin; counts polls, so that a test knows
   * when what an earlier poll returned was handled.
   */
  private static class PolledConsumer extends MockConsumer<String, byte[]> {
    final AtomicLong polls = new AtomicLong();

    PolledConsumer(String offsetReset) {
      super(offsetReset);
    }

    @Override
    public ConsumerRecords<String, byte[]> poll(Duration timeout) {
      polls.incrementAndGet();
      ConsumerRecords<String, byte[]> records = super.poll(timeout);
      if (records.isEmpty()) {
        LockSupport.parkNanos(Math.min(timeout.toNanos(), TimeUnit.MILLISECONDS.toNanos(1)));
      }
      return records;
    }

    /** Waits until the poll after the current one began: what was polled so far has been handled. */
    void awaitTurns() {
      long after = polls.get() + 1;
      await("the poll thread turns", () -> polls.get() > after);
    }
  }

  private static Worker start(MockKafka kafka, long commitIntervalMs) {
    return start(kafka, commitIntervalMs, Map.of());
  }

  private static Worker start(MockKafka kafka, long commitIntervalMs, Map<String, Object> more) {
    Map<String, Object> config = new HashMap<>(Map.of(WorkerConfig.BOOTSTRAP_SERVERS, "mock:9092",
        WorkerConfig.SCHEMA_REGISTRY_URL, "mock://registry", WorkerConfig.THREADS, 1,
        WorkerConfig.COMMIT_INTERVAL_MS, commitIntervalMs, WorkerConfig.NAME, "w"));
    config.putAll(more);
    Worker worker = Worker.start(new WorkerConfig(config), kafka, new FixedTopicAdmin(), REGISTRY);
    kafka.assign();
    await("the worker takes partition 0", () -> {
      try {
        return worker.awaitAssignment(Duration.ZERO);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    return worker;
  }

  /** {@code inc(41)} of graph {@code graphId}, whose results and events are in partition 2. */
  private static ConsumerRecord<String, byte[]> task(String graphId, long offset) {
    ReadyTask task = new ReadyTask(graphId, "a", 1, "inc", List.of(new TaskArg.Literal(41L)), 2);
    return new ConsumerRecord<>(TASKS, 0, offset, task.recordKey(), CODEC.encode(TASKS, task));
  }

  private static TaskResult decode(ProducerRecord<String, byte[]> record) {
    return CODEC.decodeResult(RESULTS, record.value(), true);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + DEADLINE + ": " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Test
  void aTaskPolledIsRunAndItsResultWrittenToThePartitionOfItsGraph() {
    MockKafka kafka = new MockKafka(true);
    try (Worker worker = start(kafka, 0)) {
      kafka.tasks.addRecord(task("g", 0));
      await("a result is written", () -> !kafka.results().isEmpty());
      ProducerRecord<String, byte[]> written = kafka.results().get(0);
      assertEquals(2, written.partition(), "the results partition of the graph's number");
      assertEquals("g", written.key());
      TaskResult result = decode(written);
      assertTrue(result.succeeded(), "result: " + result);
      assertEquals(List.of("g", "a", 1, 42L), List.of(result.graphId(), result.taskKey(), result.attempt(),
          result.value()));
      await("the task is committed", () -> kafka.committed() == 1);
      assertEquals(1, worker.tasksRun());
    }
  }

  @Test
  void aTaskIsCommittedOnlyOnceItsResultIsAcknowledged() {
    MockKafka kafka = new MockKafka(false);
    try (Worker worker = start(kafka, 0)) {
      kafka.tasks.addRecord(task("g", 0));
      await("a result is sent", () -> !kafka.results().isEmpty());
      kafka.tasks.awaitTurns(); // turns that commit whatever is finished
      assertEquals(0, kafka.committed(), "committed before Kafka acknowledged the result");
      assertTrue(kafka.producer.completeNext());
      await("the task is committed", () -> kafka.committed() == 1);
      assertEquals(1, worker.tasksRun());
    }
  }

  @Test
  void aResultKafkaGaveUpOnIsSentAgainAndItsTaskCommittedOnceAcknowledged() {
    MockKafka kafka = new MockKafka(false);
    try (Worker worker = start(kafka, 0)) {
      kafka.tasks.addRecord(task("g", 0));
      await("a result is sent", () -> kafka.results().size() == 1);
      assertTrue(kafka.producer.errorNext(new TimeoutException("delivery timed out: the broker is away")));
      await("the result is sent again", () -> kafka.results().size() == 2);
      kafka.tasks.awaitTurns();
      assertEquals(0, kafka.committed(), "committed on a send Kafka gave up on");
      assertEquals(decode(kafka.results().get(0)), decode(kafka.results().get(1)), "the same result");
      assertTrue(kafka.producer.completeNext());
      await("the task is committed", () -> kafka.committed() == 1);
      assertEquals(1, worker.tasksRun(), "the task ran once");
    }
  }

  @Test
  void aTaskHandedOverAgainBeforeItWasCommittedRunsAgainAndWritesASecondResult() {
    MockKafka kafka = new MockKafka(true);
    ConsumerRecord<String, byte[]> record = task("g", 0);
    try (Worker worker = start(kafka, 3_600_000)) {
      kafka.tasks.addRecord(record);
      await("a result is written", () -> kafka.results().size() == 1);
      kafka.loseAndReassign();
      await("the partition is given back", () -> kafka.tasks.polls.get() > 0 && kafka.tasks.assignment()
          .contains(TASKS_0) && kafka.tasks.position(TASKS_0) == 0);
      kafka.tasks.addRecord(record); // from the last commit: none
      await("a second result is written", () -> kafka.results().size() == 2);
      assertEquals(decode(kafka.results().get(0)).taskKey(), decode(kafka.results().get(1)).taskKey());
      assertEquals(2, worker.tasksRun(), "the task ran twice: the scheduler keeps the first result");
      assertEquals(0, kafka.committed());
    }
    assertEquals(1, kafka.committed(), "committed when the worker stopped");
  }

  @Test
  void aTaskOfAGraphThatEndedIsSkippedAndCommitted() {
    MockKafka kafka = new MockKafka(true);
    try (Worker worker = start(kafka, 0)) {
      await("the worker follows the events", () -> kafka.events.assignment().contains(EVENTS_0));
      kafka.events.addRecord(new ConsumerRecord<>(TOPICS.events(), 0, 0, "ended",
          CODEC.encode(TOPICS.events(), GraphEvent.cancelled("ended", "cancelled by the test", 0, 1))));
      await("the event is read", () -> kafka.events.position(EVENTS_0) == 1);
      kafka.events.awaitTurns();
      kafka.tasks.addRecord(task("ended", 0));
      kafka.tasks.addRecord(task("live", 1));
      await("both tasks are committed", () -> kafka.committed() == 2);
      assertEquals(List.of("live"), kafka.results().stream().map(record -> decode(record).graphId()).toList());
      assertEquals(1, worker.tasksRun());
    }
  }

  /**
   * Reports go through the worker's own reports producer, every interval: each names the worker and its partitions;
   * the task's span joins a report once its result is written, with where it was written; closing sends a last one,
   * leaving. The spans, listed and not, add up to the tasks run.
   */
  @Test
  void aWorkerReportsItsTasksWhereTheirResultsWentAndLeavesWithALastReport() {
    MockKafka kafka = new MockKafka(true);
    Worker worker = start(kafka, 0, Map.of(WorkerConfig.REPORT_INTERVAL_MS, 20));
    try {
      kafka.tasks.addRecord(task("g", 0));
      kafka.tasks.addRecord(task("h", 1));
      await("a report lists the two tasks", () -> kafka.reports().stream()
          .mapToLong(report -> report.finished().size()).sum() == 2);
    } finally {
      worker.close();
    }
    List<WorkerReport> reports = kafka.reports();
    WorkerReport last = reports.get(reports.size() - 1);
    assertTrue(last.leaving(), "the last report says the worker leaves");
    assertTrue(reports.subList(0, reports.size() - 1).stream().noneMatch(WorkerReport::leaving));
    assertEquals(List.of("w", Topics.DEFAULT_POOL, 1, 2L, 0L), List.of(last.worker(), last.pool(), last.threads(),
        last.tasksRun(), last.tasksFailed()));
    assertTrue(reports.stream().anyMatch(report -> report.partitions().equals(List.of(0))), "its partition");
    assertEquals(2, reports.stream().mapToLong(report -> report.finished().size() + report.finishedNotListed()).sum());
    List<WorkerReport.TaskSpan> spans = reports.stream().flatMap(report -> report.finished().stream()).toList();
    assertEquals(List.of("g", "h"), spans.stream().map(WorkerReport.TaskSpan::graphId).sorted().toList());
    for (WorkerReport.TaskSpan span : spans) {
      List<ProducerRecord<String, byte[]>> results = kafka.results(); // all to partition 2: the offset is the index
      ProducerRecord<String, byte[]> result = results.stream()
          .filter(record -> decode(record).graphId().equals(span.graphId())).findFirst().orElseThrow();
      assertEquals(new ResultRef(result.partition(), results.indexOf(result)), span.result(), "span " + span);
      assertEquals(List.of("a", "inc", 1, true, 0L), List.of(span.taskKey(), span.function(), span.thread(),
          span.succeeded(), span.bytesIn()), "a task of literals has no inputs: span " + span);
      assertEquals(result.value().length, span.bytesOut());
    }
  }

  /**
   * Kafka away for reports only: every report's send fails as a producer whose metadata does not come fails it, after
   * max.block.ms. Tasks run, are written and committed as ever, and the worker stops cleanly.
   */
  @Test
  void aReportThatCannotBeSentIsDroppedAndTasksGoOn() {
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    MockProducer<String, byte[]> away = new MockProducer<>(true, null, new StringSerializer(),
        new ByteArraySerializer()) {
      @Override
      public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
          ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
        refused.incrementAndGet();
        throw new TimeoutException("Topic " + record.topic() + " not present in metadata after 1000 ms.");
      }
    };
    MockKafka kafka = new MockKafka(true, away);
    Worker worker = start(kafka, 0, Map.of(WorkerConfig.REPORT_INTERVAL_MS, 10));
    try {
      kafka.tasks.addRecord(task("g", 0));
      await("the task is committed", () -> kafka.committed() == 1);
      await("reports were tried, and refused", () -> refused.get() >= 3);
      kafka.tasks.addRecord(task("h", 1));
      await("the next task is committed too", () -> kafka.committed() == 2);
    } finally {
      worker.close();
    }
    assertEquals(null, worker.failure(), "the worker stopped cleanly");
    assertEquals(2, worker.tasksRun());
    assertEquals(2, kafka.results().size());
  }
}
