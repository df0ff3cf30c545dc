package dev.weft.stream.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.ResultsUnavailableException;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.codec.GraphJson;
import dev.weft.scheduler.RemoteTaskException;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.stream.Format;
import dev.weft.stream.StreamConfig;
import dev.weft.stream.StreamJob;
import dev.weft.template.TemplateFunctions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's contract where a real broker cannot be steered: which batch fails and when, answers read late, a
 * producer fenced between two commits. The runner is driven turn by turn on the test's thread, with Kafka's
 * MockConsumer and MockProducer and a stand-in for the scheduler ({@link FakeGraphs}); no broker, no sleeps.
 */
class JobRunnerTest {
  private static final String INPUT = "names";
  private static final String OUTPUT = "upper";
  private static final TopicPartition P0 = new TopicPartition(INPUT, 0);
  /** As StreamJobTest's: the name in a JSON record, upper-cased. */
  private static final String TEMPLATE = """
      {"outputs": ["upper"],
       "tasks": {
         "name": ["getitem", {"record": "value"}, "name"],
         "upper": ["upper", {"ref": "name"}]}}""";
  /** Turns a condition is awaited for before the test gives up: a runner that needs more is stuck. */
  private static final int MAX_TURNS = 20;

  private Harness harness;

  @AfterEach
  void close() {
    if (harness != null) {
      harness.runner.close();
    }
  }

  /**
   * Guards collectFinished's {@code finishedBefore} check: a batch that failed as a whole behind a finished one is
   * split into singles only once the batches before it are committed. Without it, the singles are put at the head of
   * the queue, ahead of the finished batch whose answers were not read yet, and their outputs (and offsets) overtake
   * it.
   */
  @Test
  void aFailedBatchsReRunsNeverOvertakeTheBatchesBeforeIt() {
    harness = new Harness(job(2, 0, 4));
    for (int i = 0; i < 6; i++) {
      harness.consumer.produce(good(i));
    }
    harness.runner.turn();
    List<FakeGraphs.Run> runs = harness.graphs.runs;
    assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5)), runs.stream().map(run -> run.ids).toList());

    // [r0,r1] succeeds and [r2,r3] takes its worker down, both before the next turn; the answers of [r0,r1] are not
    // read at the first try (Kafka slow): the moment a re-run placed before them would overtake them.
    runs.get(0).succeed();
    runs.get(1).fail(killedWorker());
    harness.graphs.unavailableReads = 1;
    harness.turnUntil(() -> runs.size() == 5, "r2 and r3 run one by one");
    assertEquals(List.of(List.of(2), List.of(3)), runs.subList(3, 5).stream().map(run -> run.ids).toList());

    runs.get(3).succeed();
    runs.get(4).fail(killedWorker()); // r3 alone takes its worker down: it is the record at fault
    runs.get(2).succeed();
    harness.turnUntil(() -> harness.committedOffset() == 6, "every record committed");

    List<List<ProducerRecord<byte[], byte[]>>> transactions = harness.transactions.stream()
        .map(Transaction::records).toList();
    int r0 = indexOfTransactionWith(transactions, 0);
    assertTrue(r0 < indexOfTransactionWith(transactions, 2) && r0 < indexOfTransactionWith(transactions, 3),
        "r0/r1's outputs are committed before any of the re-runs of r2/r3: " + describe(transactions));
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), harness.committedInputOffsets(),
        "one output or dead letter per record, in input order: " + describe(transactions));
    ProducerRecord<byte[], byte[]> deadLetter = harness.committed("job.dead-letters").get(0);
    assertEquals("3", header(deadLetter, "weft.input.offset"));
    assertEquals(JobRunner.BATCH_TASK, header(deadLetter, "weft.task"));
    assertEquals(TaskFailedException.class.getName(), header(deadLetter, "weft.error.type"));
    assertEquals(List.of("USER-0", "USER-1", "USER-2", "USER-4", "USER-5"), values(harness.committed(OUTPUT)));
    assertOffsetsNeverGoBack(harness);
  }

  /**
   * Guards add()'s {@code sealed} check: a batch that was submitted (here one with nothing to run, its only record
   * not JSON, waiting behind a batch in flight) takes no record polled after it. Without it, r3 joins the batch of
   * r2, is never run, and the commit looks for an answer that batch does not have: the runner throws.
   */
  @Test
  void aBatchOfUndecodableRecordsTakesNoRecordPolledAfterIt() {
    harness = new Harness(job(2, 0, 4));
    harness.consumer.produce(good(0));
    harness.consumer.produce(good(1));
    harness.runner.turn(); // [r0,r1] is full, and submitted
    harness.consumer.produce(record(2, "not json"));
    harness.runner.turn(); // [r2] is due at once (no wait) and has nothing to run; it waits behind [r0,r1]
    harness.consumer.produce(good(3));
    harness.runner.turn();
    assertEquals(List.of(0, 1), harness.graphs.runs.get(0).ids);

    for (int turn = 0; turn < MAX_TURNS && harness.committedOffset() < 4; turn++) {
      harness.graphs.runs.stream().filter(run -> !run.answer.isDone()).forEach(FakeGraphs.Run::succeed);
      assertDoesNotThrow(harness.runner::turn, "the runner must not fail on records polled after a sealed batch");
    }
    assertEquals(4, harness.committedOffset());
    assertEquals(List.of(List.of(0, 1), List.of(3)), harness.graphs.runs.stream().map(run -> run.ids).toList(),
        "r3 runs in a batch of its own");
    assertEquals(List.of(0L, 1L, 2L, 3L), harness.committedInputOffsets(), "each record once, in order");
    assertEquals(List.of("USER-0", "USER-1", "USER-3"), values(harness.committed(OUTPUT)));
    ProducerRecord<byte[], byte[]> deadLetter = harness.committed("job.dead-letters").get(0);
    assertEquals("decode", header(deadLetter, "weft.task"));
    assertEquals("2", header(deadLetter, "weft.input.offset"));
    assertOffsetsNeverGoBack(harness);
  }

  /**
   * Guards commit()'s recovery: a fenced producer cannot abort, so the runner closes it and asks for a new one, drops
   * what was not committed and reads again from the committed offsets (not from the beginning, nor on from where it
   * was), so that every output is committed once.
   */
  @Test
  void aFencedProducerIsReplacedAndWhatWasNotCommittedIsReadAgainFromTheCommittedOffsets() {
    harness = new Harness(job(2, 0, 4));
    for (int i = 0; i < 4; i++) {
      harness.consumer.produce(good(i));
    }
    harness.runner.turn();
    List<FakeGraphs.Run> runs = harness.graphs.runs;
    runs.get(0).succeed();
    harness.turnUntil(() -> harness.committedOffset() == 2, "[r0,r1] committed");

    RecordingProducer fenced = harness.producers.get(0);
    fenced.fenceProducer(); // another instance took the transactional id
    runs.get(1).succeed();
    harness.turnUntil(() -> harness.producers.size() == 2, "a new producer");
    assertTrue(fenced.closed(), "the fenced producer is closed");
    assertTrue(harness.consumer.seeks.contains(Map.entry(P0, 2L)), "rewound to the committed offset: "
        + harness.consumer.seeks);

    harness.turnUntil(() -> runs.size() == 3, "[r2,r3] read again and submitted");
    assertEquals(List.of(2, 3), runs.get(2).ids, "read again from the committed offset, not from the beginning");
    runs.get(2).succeed();
    harness.turnUntil(() -> harness.committedOffset() == 4, "[r2,r3] committed by the new producer");

    assertEquals(List.of("USER-0", "USER-1", "USER-2", "USER-3"), values(harness.committed(OUTPUT)),
        "every output committed once");
    assertEquals(1, fenced.commitCount());
    assertEquals(1, harness.producers.get(1).commitCount());
    assertOffsetsNeverGoBack(harness);
  }

  /**
   * Guards submitAndPace(): at most maxBatchesInFlight batches of a partition are out, and a partition with due
   * batches waiting is paused (its records stay in Kafka as lag), then resumed when none waits.
   */
  @Test
  void aPartitionWithMoreBatchesThanMayBeInFlightIsPaused() {
    harness = new Harness(job(1, 0, 1));
    for (int i = 0; i < 3; i++) {
      harness.consumer.produce(good(i));
    }
    harness.runner.turn();
    harness.runner.turn();
    assertEquals(1, harness.graphs.runs.size(), "one batch in flight");
    assertEquals(Set.of(P0), harness.consumer.paused());

    // Once the answers come, the waiting batches go out one at a time, and the partition is resumed.
    for (int turn = 0; turn < MAX_TURNS && harness.committedOffset() < 3; turn++) {
      assertTrue(harness.graphs.runs.stream().filter(run -> !run.answer.isDone()).count() <= 1,
          "never more than one batch in flight");
      harness.graphs.runs.stream().filter(run -> !run.answer.isDone()).forEach(FakeGraphs.Run::succeed);
      harness.runner.turn();
    }
    assertEquals(3, harness.committedOffset());
    harness.runner.turn();
    assertEquals(Set.of(), harness.consumer.paused(), "resumed once nothing waits");
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static StreamJob job(int maxBatchRecords, long maxBatchWaitMs, int maxBatchesInFlight) {
    return StreamJob.of("job", GraphJson.read(TEMPLATE), INPUT, Map.of())
        .withOutputs(Map.of("upper", new StreamJob.Output(OUTPUT, Format.STRING)))
        .withBatching(maxBatchRecords, maxBatchWaitMs, maxBatchesInFlight);
  }

  /** How a batch whose record took its worker down fails: the records' fault, so they run one by one. */
  private static TaskFailedException killedWorker() {
    return new TaskFailedException(JobRunner.BATCH_TASK, TemplateFunctions.MAP_TEMPLATE,
        new RemoteTaskException("dev.weft.worker.KilledWorkerException", "the worker died running the task", null));
  }

  private static ConsumerRecord<byte[], byte[]> good(int id) {
    return record(id, "{\"id\": " + id + ", \"name\": \"user-" + id + "\"}");
  }

  private static ConsumerRecord<byte[], byte[]> record(int offset, String value) {
    byte[] key = ("k" + offset).getBytes(StandardCharsets.UTF_8);
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    // With a timestamp, as every record Kafka 4 serves has: outputs and dead letters take their input's.
    return new ConsumerRecord<>(INPUT, 0, offset, 1_000L + offset, TimestampType.CREATE_TIME, key.length,
        bytes.length, key, bytes, new RecordHeaders(), Optional.empty());
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static List<String> values(List<ProducerRecord<byte[], byte[]>> records) {
    return records.stream().map(record -> new String(record.value(), StandardCharsets.UTF_8)).toList();
  }

  /** The input offset an output or dead letter is for: an output's value names its record's id, which is its offset. */
  private static long inputOffset(ProducerRecord<byte[], byte[]> record) {
    String offset = header(record, "weft.input.offset");
    if (offset != null) {
      return Long.parseLong(offset);
    }
    return Long.parseLong(new String(record.value(), StandardCharsets.UTF_8).substring("USER-".length()));
  }

  private static int indexOfTransactionWith(List<List<ProducerRecord<byte[], byte[]>>> transactions, long offset) {
    for (int i = 0; i < transactions.size(); i++) {
      if (transactions.get(i).stream().anyMatch(record -> inputOffset(record) == offset)) {
        return i;
      }
    }
    throw new AssertionError("no committed record for input offset " + offset + ": " + describe(transactions));
  }

  private static String describe(List<List<ProducerRecord<byte[], byte[]>>> transactions) {
    return transactions.stream().map(records -> records.stream().map(JobRunnerTest::inputOffset).toList()).toList()
        .toString();
  }

  /** The offsets of P0 committed by each transaction, of every producer, never go backwards. */
  private static void assertOffsetsNeverGoBack(Harness harness) {
    long last = -1;
    int transactions = 0;
    for (RecordingProducer producer : harness.producers) {
      for (Map<String, Map<TopicPartition, OffsetAndMetadata>> group : producer.consumerGroupOffsetsHistory()) {
        for (Map<TopicPartition, OffsetAndMetadata> offsets : group.values()) {
          OffsetAndMetadata offset = offsets.get(P0);
          if (offset != null) {
            assertTrue(offset.offset() >= last, "the committed offset of " + P0 + " went back from " + last + " to "
                + offset.offset());
            last = offset.offset();
            transactions++;
          }
        }
      }
    }
    assertTrue(transactions > 0, "offsets were committed");
  }

  /** A committed transaction: its records in the order sent, and the input offsets it committed. */
  record Transaction(List<ProducerRecord<byte[], byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets) {}

  /** A runner on mocks, and what it did. */
  private static final class Harness {
    final LogConsumer consumer = new LogConsumer();
    final FakeGraphs graphs = new FakeGraphs();
    final List<RecordingProducer> producers = new ArrayList<>();
    final List<Transaction> transactions = new ArrayList<>();
    final JobRunner runner;
    final Cluster cluster;

    Harness(StreamJob job) {
      Node node = new Node(0, "localhost", 9092);
      List<PartitionInfo> partitions = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        partitions.add(new PartitionInfo(OUTPUT, p, node, new Node[] {node}, new Node[] {node}));
      }
      partitions.add(new PartitionInfo(job.deadLetters(), 0, node, new Node[] {node}, new Node[] {node}));
      cluster = new Cluster("test", List.of(node), partitions, Set.of(), Set.of());
      StreamConfig config = new StreamConfig(Map.of("bootstrap.servers", "localhost:1",
          "schema.registry.url", "http://localhost:1"));
      JobMetrics metrics = new JobMetrics(job.name(), "test", "status", new MockProducer<>(), 3_600_000L);
      runner = new JobRunner(job, job.validate(null), config, new RecordCodecs(null), new JobRunner.JobClients() {
        @Override
        public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer() {
          return consumer;
        }

        @Override
        public org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer() {
          RecordingProducer producer = new RecordingProducer(Harness.this);
          producers.add(producer);
          return producer;
        }

        @Override
        public JobRunner.BatchGraphs graphs() {
          return graphs;
        }

        @Override
        public JobRunner.TopicLimits limits() {
          return new JobRunner.TopicLimits() {
            @Override
            public int of(String topic) {
              return 1 << 20;
            }

            @Override
            public String describe(String topic) {
              return "the test's limit";
            }
          };
        }
      }, metrics);
      runner.open();
      // The group gives this instance P0, which starts at 0.
      consumer.rebalance(List.of(P0));
      consumer.updateBeginningOffsets(Map.of(P0, 0L));
    }

    void turnUntil(BooleanSupplier condition, String what) {
      for (int turn = 0; turn < MAX_TURNS; turn++) {
        if (condition.getAsBoolean()) {
          return;
        }
        runner.turn();
      }
      assertTrue(condition.getAsBoolean(), "not after " + MAX_TURNS + " turns: " + what);
    }

    /** The offset of P0 the group holds (what the last transaction committed), or 0. */
    long committedOffset() {
      OffsetAndMetadata offset = consumer.committedOffsets.get(P0);
      return offset == null ? 0 : offset.offset();
    }

    /** The committed records of {@code topic}, in commit order. */
    List<ProducerRecord<byte[], byte[]>> committed(String topic) {
      return transactions.stream().flatMap(transaction -> transaction.records().stream())
          .filter(record -> record.topic().equals(topic)).toList();
    }

    /** The input offset of every committed output and dead letter, in commit order. */
    List<Long> committedInputOffsets() {
      return transactions.stream().flatMap(transaction -> transaction.records().stream())
          .map(JobRunnerTest::inputOffset).toList();
    }
  }

  /**
   * A transactional MockProducer whose commits also reach the consumer's group, as a broker's would: what the runner
   * rewinds to is what its transactions committed.
   */
  private static final class RecordingProducer extends MockProducer<byte[], byte[]> {
    private final Harness harness;

    RecordingProducer(Harness harness) {
      super(harness.cluster, true, null, new ByteArraySerializer(), new ByteArraySerializer());
      this.harness = harness;
      initTransactions();
    }

    @Override
    public void commitTransaction() {
      List<ProducerRecord<byte[], byte[]>> records = uncommittedRecords();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      uncommittedOffsets().values().forEach(offsets::putAll);
      super.commitTransaction();
      harness.transactions.add(new Transaction(records, offsets));
      harness.consumer.commitSync(offsets);
    }
  }

  /**
   * A MockConsumer that serves records again after a seek back, as Kafka does (MockConsumer forgets a record once
   * polled). It keeps the committed offsets apart, since in Kafka 4.4 a rebalance overwrites MockConsumer's own for
   * revoked partitions.
   */
  private static final class LogConsumer extends MockConsumer<byte[], byte[]> {
    final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
    final Map<TopicPartition, OffsetAndMetadata> committedOffsets = new HashMap<>();
    final List<Map.Entry<TopicPartition, Long>> seeks = new ArrayList<>();
    /** Per partition, the offset after the last record polled. */
    final Map<TopicPartition, Long> polledTo = new HashMap<>();
    /** Whether MockConsumer's poll runs: it seeks on its own (to the committed or beginning offset), serving nothing. */
    private boolean polling;

    LogConsumer() {
      super("earliest");
    }

    void produce(ConsumerRecord<byte[], byte[]> record) {
      log.add(record);
      addRecord(record);
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(java.time.Duration timeout) {
      ConsumerRecords<byte[], byte[]> records;
      polling = true;
      try {
        records = super.poll(timeout);
      } finally {
        polling = false;
      }
      for (ConsumerRecord<byte[], byte[]> record : records) {
        polledTo.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
      }
      return records;
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      committedOffsets.putAll(offsets);
      super.commitSync(offsets);
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
      for (TopicPartition partition : partitions) {
        committed.put(partition, committedOffsets.get(partition)); // null when none, as KafkaConsumer
      }
      return committed;
    }

    @Override
    public synchronized void seek(TopicPartition partition, long offset) {
      super.seek(partition, offset);
      serveAgain(partition, offset);
    }

    @Override
    public void seek(TopicPartition partition, OffsetAndMetadata offset) {
      seek(partition, offset.offset());
    }

    @Override
    public synchronized void seekToBeginning(Collection<TopicPartition> partitions) {
      super.seekToBeginning(partitions);
      partitions.forEach(partition -> serveAgain(partition, 0));
    }

    /**
     * Adds again the records polled from {@code offset} on. MockConsumer serves records in the order added, so this
     * holds only when every record added was polled: the tests seek back only then, and this says so if not.
     */
    private void serveAgain(TopicPartition partition, long offset) {
      if (polling) {
        return;
      }
      seeks.add(Map.entry(partition, offset));
      long polled = polledTo.getOrDefault(partition, 0L);
      for (ConsumerRecord<byte[], byte[]> record : log) {
        if (record.partition() == partition.partition() && record.topic().equals(partition.topic())) {
          if (record.offset() >= polled) {
            throw new IllegalStateException("the test seeks back while records are not polled yet");
          }
          if (record.offset() >= offset) {
            addRecord(record);
          }
        }
      }
      polledTo.put(partition, offset);
    }
  }

  /** Stands in for the scheduler: batches are run by the test, which completes or fails each. */
  private static final class FakeGraphs implements JobRunner.BatchGraphs {
    final List<Run> runs = new ArrayList<>();
    final Map<ResultRef, Object> answers = new HashMap<>();
    /** How many of the next reads find nothing in time (Kafka slow). */
    int unavailableReads;
    private long nextOffset;

    /** A submitted batch's graph and the records it runs, by id. */
    final class Run implements JobRunner.Submitted {
      final List<Integer> ids;
      final CompletableFuture<ResultRef> answer = new CompletableFuture<>();
      boolean cancelled;

      Run(List<Integer> ids) {
        this.ids = ids;
      }

      /** Each record's answer is its one output: its name upper-cased. */
      void succeed() {
        ResultRef where = new ResultRef(0, nextOffset++);
        answers.put(where, ids.stream().map(id -> (Object) List.of("USER-" + id)).toList());
        answer.complete(where);
      }

      void fail(Throwable failure) {
        answer.completeExceptionally(failure);
      }

      @Override
      public CompletableFuture<ResultRef> answer() {
        return answer;
      }

      @Override
      public void cancel() {
        cancelled = true;
        answer.cancel(false);
      }
    }

    @Override
    public JobRunner.Submitted submit(Graph graph) {
      // The batch task's second argument is the records' fields; each value holds the record's id.
      Object records = ((Arg.Literal) graph.task(JobRunner.BATCH_TASK).args().get(1)).value();
      List<Integer> ids = new ArrayList<>();
      for (Object fields : (List<?>) records) {
        Map<?, ?> value = (Map<?, ?>) ((Map<?, ?>) fields).get("value");
        ids.add(((Number) value.get("id")).intValue());
      }
      Run run = new Run(List.copyOf(ids));
      runs.add(run);
      return run;
    }

    @Override
    public Map<ResultRef, Object> read(Collection<ResultRef> where) {
      if (unavailableReads > 0) {
        unavailableReads--;
        throw new ResultsUnavailableException("the test holds the answers back", null);
      }
      Map<ResultRef, Object> read = new HashMap<>();
      for (ResultRef ref : where) {
        Object answer = answers.get(ref);
        assertNotNull(answer, "an answer read before it was written: " + ref);
        read.put(ref, answer);
      }
      return read;
    }

    @Override
    public void close() {}
  }
}
