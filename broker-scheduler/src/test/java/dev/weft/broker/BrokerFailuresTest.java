package dev.weft.broker;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.GraphListener;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.GraphValidationException;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.testkit.TestFunctions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the broker scheduler does when workers die, join, run long, or graphs are bad or cancelled. */
@WithKafka
class BrokerFailuresTest {
  private static final Duration LONG = Duration.ofMinutes(3);

  @TempDir
  Path temp;

  /** {@code count} tasks that each record their call and sleep, and a sum of their values. */
  private static Graph sleepers(int count, long millis, Path calls) {
    GraphBuilder graph = Graph.builder();
    List<Arg> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      graph.task("sleeper-" + i, "count-and-sleep", calls.toString(), millis, (long) i);
      all.add(ref("sleeper-" + i));
    }
    return graph.task("total", "sum", all).outputs("total").build();
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " did not happen within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aWorkerKilledMidGraphLosesNothing(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 2);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Path calls = temp.resolve("calls");
      GraphFuture graph = client.submit(sleepers(40, 150, calls));
      await(() -> graph.done() >= 4, LONG, "progress");
      Process victim = cluster.workers().get(0);
      victim.destroyForcibly();
      assertTrue(victim.waitFor(30, TimeUnit.SECONDS));
      assertEquals(137, victim.exitValue(), "killed with SIGKILL");
      assertEquals(Map.of("total", 40L * 39 / 2), WeftClient.await(graph, LONG));
      // Tasks the dead worker was running ran again elsewhere, so some ran twice; none was lost.
      assertTrue(TestFunctions.calls(calls) >= 40);
    }
  }

  /**
   * Drill: kill -9 of one of two workers a quarter into a graph of 50,000 tasks. The survivor takes the dead one's
   * partitions once its session expires and runs what it left, from the uncommitted offsets; nothing is lost.
   */
  @Test
  void aWorkerKilledDuringAFiftyThousandTaskGraphLosesNothing(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 2);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Drill drill = new Drill("worker-sigkill-50k-tasks");
      Graph graph = dev.weft.testkit.Shapes.wide(49_999);
      assertEquals(50_000, graph.size());
      GraphFuture future = drill.track(client.submit(graph), "sum", dev.weft.testkit.Shapes.wideResult(49_999));
      await(() -> future.done() >= 12_500, LONG, "a quarter of the graph");
      Process victim = cluster.workers().get(0);
      victim.destroyForcibly();
      long killed = System.nanoTime();
      assertTrue(victim.waitFor(30, TimeUnit.SECONDS));
      int atKill = future.done();
      org.apache.kafka.clients.admin.Admin admin = kafka.admin();
      String group = new WeftKafkaConfig(cluster.connection()).topics().workerGroup(null);
      await(() -> {
        try {
          var members = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members();
          return members.size() == 1 && members.iterator().next().assignment().topicPartitions().size() == 8;
        } catch (Exception e) {
          return false;
        }
      }, LONG, "the survivor holding every partition");
      drill.note("the survivor took the dead worker's partitions %.1f s after the kill, at %d of 50,000 tasks",
          Drill.secondsSince(killed), future.done());
      try {
        future.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // the drill's report says what became of it
      }
      drill.note("the graph ended %.1f s after the kill (%d tasks done at the kill)", Drill.secondsSince(killed),
          atKill);
      drill.awaitAll(LONG);
    }
  }

  @Test
  void aWorkerAddedMidGraphTakesWork(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Map<String, Integer> byWorker = new ConcurrentHashMap<>();
      GraphListener census = new GraphListener() {
        @Override
        public void taskDone(String key, String function, ResultRef location, String worker, long nanos) {
          byWorker.merge(worker, 1, Integer::sum);
        }
      };
      // Every task waits at a gate: the first worker runs two and holds the rest until the second worker joins.
      Path gate = temp.resolve("gate");
      GraphBuilder builder = Graph.builder();
      List<Arg> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        builder.task("gated-" + i, "await-file", gate.toString(), 120_000L, (long) i);
        all.add(ref("gated-" + i));
      }
      GraphFuture graph = client.submit(builder.task("total", "sum", all).outputs("total").build(),
          SubmitOptions.defaults().listener(census, true));
      await(() -> graph.total() > 0, LONG, "acceptance");
      cluster.startWorker();
      cluster.awaitWorkers(2);
      java.nio.file.Files.createFile(gate);
      assertEquals(Map.of("total", 40L * 39 / 2), WeftClient.await(graph, LONG));
      assertTrue(byWorker.getOrDefault("worker-2", 0) > 0, "the new worker ran tasks: " + byWorker);
      assertTrue(byWorker.getOrDefault("worker-1", 0) > 0, byWorker.toString());
    }
  }

  /**
   * Drill: a task that halts the JVM of every worker it is handed to. Each worker that dies is replaced (as a
   * supervisor would); after its partition's workers died twice in a row, its tasks run alone, and the task that takes
   * down a worker alone fails its graph with KilledWorkerException. Every other graph completes. Before, the task went
   * from worker to worker until none was left.
   */
  @Test
  void aTaskThatHaltsItsWorkerFailsItsGraphAndThePoolLives(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 2, Map.of("session.timeout.ms", "6000"));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      java.util.concurrent.atomic.AtomicInteger replaced = cluster.superviseWorkers();
      Drill drill = new Drill("task-that-halts-its-worker");
      GraphBuilder poison = Graph.builder();
      List<Arg> all = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        poison.task("fine-" + i, "sleep", 20L, (long) i);
        all.add(ref("fine-" + i));
      }
      poison.task("halts", "exit", 3);
      all.add(ref("halts"));
      long start = System.nanoTime();
      GraphFuture doomed = client.submit(poison.task("total", "sum", all).outputs("total").build());
      List<GraphFuture> others = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        others.add(drill.track(client.submit(sleepers(30, 20, temp.resolve("other-" + i))), "total", 30L * 29 / 2));
      }
      ExecutionException failed = assertThrows(ExecutionException.class, () -> doomed.get(3, TimeUnit.MINUTES));
      dev.weft.scheduler.TaskFailedException cause = assertInstanceOf(dev.weft.scheduler.TaskFailedException.class,
          failed.getCause());
      assertEquals("halts", cause.key());
      dev.weft.scheduler.RemoteTaskException remote = assertInstanceOf(dev.weft.scheduler.RemoteTaskException.class,
          cause.getCause());
      assertEquals("dev.weft.worker.KilledWorkerException", remote.remoteType());
      drill.note("the graph of the halting task failed with KilledWorkerException after %.1f s and %d worker deaths",
          Drill.secondsSince(start), replaced.get());
      drill.awaitAll(LONG);
      // Two deaths in a row, then one alone: three; a fourth when tasks before it in its partition were done (the
      // count starts again after progress); a fifth leaves slack for a hand-over between deaths. Never the whole pool.
      assertTrue(replaced.get() >= 1 && replaced.get() <= 5, replaced.get() + " workers died");
      // And the pool still works.
      assertEquals(Map.of("after", 1L), client.compute(Graph.builder().task("after", "inc", 0L).build(), LONG));
    }
  }

  /**
   * A result that the broker could not carry, or the worker's heap not hold, is refused before it is built, naming the
   * limit: a worker that ran out of memory building it would die, and so would each worker the task went to next.
   */
  @Test
  void aResultTooLargeToCarryOrHoldIsRefusedBeforeItIsBuilt(TestKafka kafka) throws Exception {
    // Worker JVMs of 256 MiB; results up to 512 MiB, as far as Weft's setting goes: the brokers' requests are the
    // tighter limit (100 MiB), and the heap for the second task (a list of 8 million longs is small encoded only).
    try (WeftCluster cluster = WeftCluster.start(kafka, 1, Map.of(WeftKafkaConfig.MAX_RECORD_BYTES,
            Integer.toString(512 << 20)));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      TaskFailedException overLimit = assertThrows(TaskFailedException.class,
          () -> client.compute(Graph.builder().task("huge", "bytes", 600L << 20).build(), LONG));
      assertTrue(overLimit.getMessage().contains("bytes(629145600) would be at least 629145600 bytes encoded, over the "
          + ((100 << 20) - RecordLimits.FRAMING_BYTES) + " that the broker scheduler carries (the brokers' "
          + "socket.request.max.bytes is " + (100 << 20) + "; raise it, as weft.max.record.bytes (" + (512 << 20)
          + ") assumes)"), overLimit.getMessage());
      TaskFailedException overHeap = assertThrows(TaskFailedException.class,
          () -> client.compute(Graph.builder().task("large", "range", 8_000_000L).build(), LONG));
      assertTrue(overHeap.getMessage().contains("range(8000000) would take about 183 MiB of heap, more than half of"
          + " the"), overHeap.getMessage());
      assertTrue(cluster.workers().get(0).isAlive());
      assertEquals(Map.of("ok", 2L), client.compute(Graph.builder().task("ok", "inc", 1L).build(), LONG));
    }
  }

  /**
   * A task that exhausts its worker's heap fails its graph with the OutOfMemoryError, and the worker goes on: what the
   * task held is garbage once it threw. (A worker that dies of it instead is the poison-task drill's case.)
   */
  @Test
  void aTaskThatExhaustsTheHeapFailsItsGraphAndTheWorkerLives(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      TaskFailedException failure = assertThrows(TaskFailedException.class,
          () -> client.compute(Graph.builder().task("hog", "oom").build(), LONG));
      assertEquals("hog", failure.key());
      assertEquals(OutOfMemoryError.class.getName(),
          ((dev.weft.scheduler.RemoteTaskException) failure.getCause()).remoteType());
      assertTrue(cluster.workers().get(0).isAlive());
      assertEquals(Map.of("ok", 2L), client.compute(Graph.builder().task("ok", "inc", 1L).build(), LONG));
    }
  }

  @Test
  void aTaskLongerThanMaxPollIntervalRunsOnce(TestKafka kafka) throws Exception {
    // Workers that must poll every 3 s; the task takes 6 s.
    try (WeftCluster cluster = WeftCluster.start(kafka, 1, Map.of("max.poll.interval.ms", "3000"));
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Path calls = temp.resolve("long");
      Graph graph = Graph.builder().task("long", "count-and-sleep", calls.toString(), 6_000L, "slow").build();
      assertEquals(Map.of("long", "slow"), client.compute(graph, LONG));
      assertEquals(1, TestFunctions.calls(calls));
    }
  }

  @Test
  void invalidAndUndecodableGraphsAreRejectedWithTheirCause(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Graph cycle = Graph.builder().task("a", "inc", ref("b")).task("b", "inc", ref("a")).build();
      ExecutionException rejected = assertThrows(ExecutionException.class,
          () -> client.submit(cycle).get(1, TimeUnit.MINUTES));
      GraphValidationException cause = assertInstanceOf(GraphValidationException.class, rejected.getCause());
      assertEquals(GraphValidationException.Kind.CYCLE, cause.problems().get(0).kind());
      assertEquals("invalid graph: cycle: a -> b -> a (each task depends on the next)", cause.getMessage());

      ExecutionException unknown = assertThrows(ExecutionException.class, () -> client.submit(
          Graph.builder().task("x", "no-such-function", 1L).build()).get(1, TimeUnit.MINUTES));
      assertEquals(GraphValidationException.Kind.UNKNOWN_FUNCTION,
          ((GraphValidationException) unknown.getCause()).problems().get(0).kind());

      // Bytes that are no graph at all: the scheduler answers with a rejection and keeps the record aside.
      try (GarbageProbe probe = new GarbageProbe(cluster.connection())) {
        assertTrue(probe.sendGarbageAndAwaitRejection("garbage-graph").contains("cannot be decoded"));
        assertTrue(probe.deadLetterReason("garbage-graph").contains("magic byte"));
      }
      // And the scheduler goes on.
      assertEquals(Map.of("ok", 2L), client.compute(Graph.builder().task("ok", "inc", 1L).build(), LONG));
    }
  }

  /** A record value whose embedded schema has a default Avro refuses ("Invalid default for field x"). */
  private static final String GOOD_DEFAULT = "{\"type\":\"record\",\"name\":\"Poison\",\"namespace\":\"drill\","
      + "\"fields\":[{\"name\":\"x\",\"type\":\"int\",\"default\":12}]}";
  private static final String BAD_DEFAULT = GOOD_DEFAULT.replace("\"default\":12", "\"default\":\"\"");

  /** {@code encoded} with its embedded Poison schema made invalid (same length, so every length prefix holds). */
  private static byte[] poisoned(byte[] encoded) {
    byte[] from = GOOD_DEFAULT.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] to = BAD_DEFAULT.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String text = new String(encoded, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf(new String(from, java.nio.charset.StandardCharsets.ISO_8859_1));
    assertTrue(at >= 0, "the record embeds the schema");
    byte[] crafted = encoded.clone();
    System.arraycopy(to, 0, crafted, at, to.length);
    return crafted;
  }

  private static org.apache.avro.generic.GenericRecord poisonValue() {
    org.apache.avro.generic.GenericRecord value = new org.apache.avro.generic.GenericData.Record(
        new org.apache.avro.Schema.Parser().parse(GOOD_DEFAULT));
    value.put("x", 1);
    return value;
  }

  /**
   * Drill: a crafted record on every topic, each in valid Confluent wire format, whose embedded record schema Avro
   * refuses (once this stopped every scheduler, fresh ones too, or every worker), a graph with negative retries, and
   * plain garbage. Each is put aside or rejected, with its reason; schedulers and workers stay up, and graphs go on.
   */
  @Test
  void aCraftedPoisonRecordOnEveryTopicIsPutAsideAndEverythingGoesOn(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 2);
         WeftClient client = WeftClient.connect(cluster.connection());
         GarbageProbe probe = new GarbageProbe(cluster.connection())) {
      dev.weft.broker.protocol.Topics topics = new WeftKafkaConfig(cluster.connection()).topics();
      dev.weft.broker.protocol.WireCodec codec = probe.codec();
      Drill drill = new Drill("poison-records");
      GraphFuture before = drill.track(client.submit(sleepers(30, 50, temp.resolve("before"))), "total", 30L * 29 / 2);

      Graph carrier = Graph.builder().task("a", "identity", poisonValue()).build();
      probe.send(topics.graphs(), "poison-graph", poisoned(codec.encode(topics.graphs(),
          new dev.weft.broker.protocol.GraphCommand.Submit("poison-graph", carrier, null, Map.of(), 0, false, "x"))));
      String task = topics.tasks(null);
      probe.send(task, "poison-task", poisoned(codec.encode(task, new dev.weft.broker.protocol.ReadyTask("poison-task",
          "a", 1, "identity", List.of(new dev.weft.broker.protocol.TaskArg.Literal(poisonValue())), 0))));
      probe.send(task, "garbage-task", new byte[] {0, 0x7f, 0, 0, 1, 2, 3});
      probe.send(topics.results(), "garbage-result", new byte[] {0, 0x7f, 0, 0, 9});
      probe.send(topics.events(), "garbage-event", new byte[] {0, 1, 2});
      GraphFuture after = drill.track(client.submit(sleepers(10, 10, temp.resolve("after"))), "total", 10L * 9 / 2);

      assertTrue(probe.awaitRejection("poison-graph").contains("Invalid default for field x"));
      assertTrue(probe.deadLetterReason("poison-graph").contains("Invalid default for field x"));
      assertTrue(probe.deadLetterReason("poison-task").contains("Invalid default for field x"));
      assertTrue(probe.deadLetterReason("garbage-task").contains("does not know"));
      assertTrue(probe.deadLetterReason("garbage-result").contains("does not know"));
      drill.awaitAll(LONG);
      assertEquals(null, cluster.scheduler().failure());
      for (Process worker : cluster.workers()) {
        assertTrue(worker.isAlive(), "a worker stopped");
      }
      // A graph with negative retries is a graph that cannot run: rejected, naming the task.
      dev.weft.avro.TaskSpec negative = new dev.weft.avro.TaskSpec("a", "inc", List.of(new dev.weft.avro.Argument(
          new dev.weft.avro.Value(1L))), 0, -1, null, Map.of());
      java.io.ByteArrayOutputStream spec = new java.io.ByteArrayOutputStream();
      org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(spec, null);
      new org.apache.avro.specific.SpecificDatumWriter<>(dev.weft.avro.GraphSpec.class).write(
          new dev.weft.avro.GraphSpec(1, null, List.of(negative), List.of()), encoder);
      encoder.flush();
      byte[] valid = codec.encode(topics.graphs(), new dev.weft.broker.protocol.GraphCommand.Submit("negative",
          Graph.builder().task("a", "inc", 1L).build(), null, Map.of(), 0, false, "x"));
      byte[] ownSpec = new dev.weft.graph.codec.GraphCodec().encode(Graph.builder().task("a", "inc", 1L).build());
      int at = indexOf(valid, ownSpec);
      byte[] crafted = new byte[valid.length - ownSpec.length + spec.size()];
      System.arraycopy(valid, 0, crafted, 0, at);
      System.arraycopy(spec.toByteArray(), 0, crafted, at, spec.size());
      System.arraycopy(valid, at + ownSpec.length, crafted, at + spec.size(), valid.length - at - ownSpec.length);
      probe.send(topics.graphs(), "negative", crafted);
      assertTrue(probe.awaitRejection("negative").contains("retries must be >= 0, was -1"));
      assertEquals(Map.of("ok", 2L), client.compute(Graph.builder().task("ok", "inc", 1L).build(), LONG));
      assertEquals(null, cluster.scheduler().failure());
    }
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  /**
   * A record too large for the dead-letter topic is put there truncated, with its reason and where it was: once only a
   * log line told of it.
   */
  @Test
  void aRecordTooLargeForTheDeadLettersGoesThereTruncated(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1);
         GarbageProbe probe = new GarbageProbe(cluster.connection())) {
      dev.weft.broker.protocol.Topics topics = new WeftKafkaConfig(cluster.connection()).topics();
      ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, topics.deadLetters());
      kafka.admin().incrementalAlterConfigs(Map.of(deadLetters, List.of(new AlterConfigOp(
          new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(1 << 20)),
          AlterConfigOp.OpType.SET)))).all().get();
      byte[] large = new byte[3 << 20];
      java.util.Arrays.fill(large, (byte) 7); // not the magic byte: undecodable
      probe.send(topics.tasks(null), "too-large", large);

      org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> letter = probe.awaitDeadLetter("too-large");
      assertEquals(dev.weft.broker.protocol.DeadLetters.TRUNCATED_VALUE_BYTES, letter.value().length);
      assertTrue(GarbageProbe.header(letter, "weft.truncated").contains("had " + large.length + " bytes"),
          GarbageProbe.header(letter, "weft.truncated"));
      assertTrue(GarbageProbe.header(letter, "weft.reason").contains("magic byte"));
      assertTrue(GarbageProbe.header(letter, "weft.source").startsWith(topics.tasks(null) + "-"));
      assertTrue(cluster.workers().get(0).isAlive());
    }
  }

  @Test
  void aCancelledGraphStops(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      Path calls = temp.resolve("cancelled");
      GraphFuture graph = client.submit(sleepers(300, 50, calls), SubmitOptions.defaults().maxInFlight(4));
      await(() -> graph.done() >= 2, LONG, "progress");
      assertTrue(graph.cancel(true));
      assertThrows(CancellationException.class, () -> graph.get(1, TimeUnit.MINUTES));
      // Another graph runs to its end after the cancel: whatever was queued behind it has gone through by then.
      assertEquals(Map.of("after", 1L), client.compute(Graph.builder().task("after", "inc", 0L).build(), LONG));
      long ran = TestFunctions.calls(calls);
      assertTrue(ran < 40, ran + " of 300 tasks ran; a cancelled graph must stop emitting");
    }
  }

  @Test
  void aFinalEventKafkaRefusedIsSentAgainUntilTheClientHasIt(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 1);
         WeftClient client = WeftClient.connect(cluster.connection())) {
      String events = new WeftKafkaConfig(cluster.connection()).topics().events();
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, events);
      // Room for the small events, not for the completion of a graph with 200 outputs (their locations).
      kafka.admin().incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
          new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1500"), AlterConfigOp.OpType.SET)))).all().get();
      GraphBuilder builder = Graph.builder();
      List<String> outputs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        builder.task("output-" + i, "inc", (long) i);
        outputs.add("output-" + i);
      }
      GraphFuture graph = client.submit(builder.outputs(outputs.toArray(new String[0])).build());
      await(() -> graph.total() == 200, LONG, "the graph accepted");
      await(() -> cluster.scheduler().unfinishedGraphs() == 0, LONG, "the graph ended at the scheduler");
      assertThrows(TimeoutException.class, () -> graph.get(2, TimeUnit.SECONDS), "no completion gets through yet");

      kafka.admin().incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
          new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588"), AlterConfigOp.OpType.SET)))).all().get();
      Map<String, Object> values = WeftClient.await(graph, LONG);
      assertEquals(200, values.size());
      assertEquals(200L, values.get("output-199"));
      assertEquals(null, cluster.scheduler().failure());
    }
  }
}
