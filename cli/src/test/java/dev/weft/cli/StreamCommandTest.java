package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.cluster.WeftCluster;
import dev.weft.graph.Arg;
import dev.weft.graph.Task;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.stream.StreamConfig;
import dev.weft.template.TemplateFunctions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft stream ...} against the one-machine deployment of {@code weft up} (its scheduler runs the stream jobs,
 * its worker process the batches), on the real embedded broker: start, outputs, dead letters, list, pause, resume,
 * stop, and a job file that is refused.
 */
@org.junit.jupiter.api.Timeout(300)
class StreamCommandTest {
  static final String JOB = """
      {
        "name": "orders",
        "inputs": [{"topic": "orders", "format": "json"}],
        "outputs": {"customer": {"topic": "customers", "format": "string"}},
        "batch": {"maxRecords": 50, "maxWaitMs": 20, "inFlight": 2},
        "template": {
          "outputs": ["customer"],
          "tasks": {
            "name": ["getitem", {"record": "value"}, "customer"],
            "customer": ["upper", {"ref": "name"}]}}}
      """;

  @TempDir
  Path temp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ByteArrayOutputStream machineLog = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;
  private String[] connection;

  @BeforeEach
  void capture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  /** Runs {@code weft stream ARGS} against the deployment; what it printed is in {@link #out} and {@link #err}. */
  private int stream(String... args) {
    out.reset();
    err.reset();
    List<String> command = new ArrayList<>(List.of("stream"));
    command.addAll(List.of(args));
    command.addAll(List.of(connection));
    return Main.run(command.toArray(String[]::new));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** What the command said on stderr, without the log lines of the scheduler that runs in this JVM. */
  private String said() {
    return err().lines().filter(line -> !line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d+ \\[.*"))
        .map(line -> line + "\n").collect(java.util.stream.Collectors.joining());
  }

  @Test
  void aJobStartedFromTheCommandLineRunsOnWeftUpAndIsListedPausedResumedAndStopped() throws Exception {
    try (WeftCluster machine = WeftCluster.builder().workers(1).threadsPerWorker(2)
        .setting(StreamConfig.STATUS_INTERVAL_MS, "200").log(new PrintStream(machineLog, true, StandardCharsets.UTF_8))
        .start()) {
      connection = new String[] {"--bootstrap", machine.bootstrapServers(), "--registry", machine.registryUrl()};
      Map<String, Object> kafka = new WeftKafkaConfig(machine.config()).clientProperties();
      try (Admin admin = Admin.create(kafka)) {
        admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get();
      }
      Path file = temp.resolve("orders.json");
      Files.writeString(file, JOB);
      assertEquals(Main.OK, stream("start", file.toString()), err());
      assertEquals("stream job 'orders' started (running): orders -> customers; dead letters to "
          + "orders.dead-letters\n", out());

      // Records i go to input partition i % 2; two are bad: one is not JSON, one has no customer.
      List<ProducerRecord<String, String>> records = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        records.add(new ProducerRecord<>("orders", i % 2, "k" + i, "{\"id\": " + i + ", \"customer\": \"c-" + i
            + "\"}"));
      }
      records.add(100, new ProducerRecord<>("orders", 0, "bad-json", "not json"));
      records.add(150, new ProducerRecord<>("orders", 1, "no-customer", "{\"id\": -1}"));
      produce(kafka, records);

      List<ConsumerRecord<byte[], byte[]>> outputs = readCommitted(kafka, "customers", 200);
      assertEquals(200, outputs.size());
      Map<Integer, List<Integer>> idsByPartition = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> output : outputs) {
        String value = text(output.value());
        int id = Integer.parseInt(value.substring("C-".length()));
        assertEquals("k" + id, text(output.key()));
        assertEquals("customer", header(output, "weft.output"));
        idsByPartition.computeIfAbsent(output.partition(), p -> new ArrayList<>()).add(id);
      }
      // Each input partition's outputs are in the output partition of its number, in input order.
      for (int partition = 0; partition < 2; partition++) {
        List<Integer> expected = new ArrayList<>();
        for (int i = partition; i < 200; i += 2) {
          expected.add(i);
        }
        assertEquals(expected, idsByPartition.get(partition), "partition " + partition);
      }

      List<ConsumerRecord<byte[], byte[]>> dead = readCommitted(kafka, "orders.dead-letters", 2);
      assertEquals(2, dead.size());
      ConsumerRecord<byte[], byte[]> notJson = dead.stream().filter(r -> "bad-json".equals(text(r.key())))
          .findFirst().orElseThrow();
      assertEquals("not json", text(notJson.value()));
      assertEquals("orders", header(notJson, "weft.job"));
      assertEquals("orders", header(notJson, "weft.input.topic"));
      assertEquals("0", header(notJson, "weft.input.partition"));
      assertEquals("50", header(notJson, "weft.input.offset"));
      assertEquals("decode", header(notJson, "weft.task"));
      assertTrue(header(notJson, "weft.error").startsWith("the value is not JSON"), header(notJson, "weft.error"));
      ConsumerRecord<byte[], byte[]> noCustomer = dead.stream().filter(r -> "no-customer".equals(text(r.key())))
          .findFirst().orElseThrow();
      assertEquals("1", header(noCustomer, "weft.input.partition"));
      assertEquals("name", header(noCustomer, "weft.task"));
      assertEquals("java.lang.IllegalArgumentException", header(noCustomer, "weft.error.type"));
      assertEquals("getitem: no key customer in the map", header(noCustomer, "weft.error"));

      assertBatchesAreOneTaskEach(machine, 50, 201);

      List<String> row = awaitRow(s -> s.get(6).equals("200"));
      assertEquals(List.of("orders", "running", "exactly_once", "orders -> customers", "1", "202", "200", "2"),
          row.subList(0, 8));
      assertTrue(row.get(8).matches("\\d+\\.\\d") && row.get(9).matches("\\d+\\.\\d"), row.toString());
      assertTrue(row.get(11).matches("\\d+/\\d+"), row.toString());
      awaitRow(s -> s.get(10).equals("0"));
      assertTrue(out().startsWith("job     state    guarantee     inputs -> outputs    instances  records in  "
          + "records out  dead letters  in/s  out/s  lag  latency p50/p99 ms\n"), out());

      // Paused: records wait in Kafka, shown as lag, until it is resumed.
      assertEquals(Main.OK, stream("pause", "orders"), err());
      assertEquals("stream job 'orders' paused; its input records wait in Kafka (weft stream resume orders)\n",
          out());
      awaitRow(s -> s.get(1).equals("paused") && s.get(4).equals("0"));
      List<ProducerRecord<String, String>> more = new ArrayList<>();
      for (int i = 200; i < 210; i++) {
        more.add(new ProducerRecord<>("orders", i % 2, "k" + i, "{\"id\": " + i + ", \"customer\": \"c-" + i
            + "\"}"));
      }
      produce(kafka, more);
      awaitRow(s -> s.get(10).equals("10"));
      assertEquals(200, readCommitted(kafka, "customers", 201, Duration.ofSeconds(2)).size(), "paused: no output");

      assertEquals(Main.OK, stream("resume", "orders"), err());
      assertEquals("stream job 'orders' running\n", out());
      assertEquals(210, readCommitted(kafka, "customers", 210).size());
      awaitRow(s -> s.get(1).equals("running") && s.get(10).equals("0"));

      assertEquals(Main.OK, stream("stop", "orders"), err());
      assertEquals("stream job 'orders' stopped; started again under this name, it goes on from where it was\n",
          out());
      assertEquals(Main.OK, stream("list"), err());
      assertEquals("no stream jobs\n", out());
      assertEquals(Main.FAILED, stream("pause", "orders"));
      assertEquals("weft: there is no stream job named 'orders'\n", err());

      // A job file with problems is refused, each named, and nothing starts.
      Path bad = temp.resolve("bad.json");
      Files.writeString(bad, JOB.replace("\"upper\", {\"ref\"", "\"uppercase\", {\"ref\"")
          .replace("{\"record\": \"value\"}", "{\"record\": \"body\"}").replace("\"customers\"", "\"orders\""));
      assertEquals(Main.INVALID_GRAPH, stream("start", bad.toString()));
      assertEquals("weft: stream job 'orders' (" + bad + ") is invalid, 3 problems:\n"
          + "  - task 'name' refers to 'record.body', which is not a field of a record (fields: key, value, headers, "
          + "timestamp, topic, partition, offset)\n"
          + "  - unknown function 'uppercase' in task 'customer' (loaded modules: bag, bag-items, files, kafka-topics, "
          + "builtins, records, fused)\n"
          + "  - topic 'orders' is both read and written by the job\n", err());
      Files.writeString(bad, "{\"name\": \"orders\", \"inputs\": [\"orders\"]}");
      assertEquals(Main.INVALID_GRAPH, stream("start", bad.toString()));
      assertEquals("weft: " + bad + " is not a stream job: job 'orders' has no \"template\" object (a graph in graph "
          + "JSON)\n", err());
      assertEquals(Main.OK, stream("list"), err());
      assertEquals("no stream jobs\n", out());

      // A pool no worker serves is named, as submit names it: the job's batches would wait with nothing said.
      Path gpu = temp.resolve("gpu.json");
      Files.writeString(gpu, JOB.replace("\"name\": \"orders\"", "\"name\": \"gpu-orders\", \"pool\": \"gpu\"")
          .replace("\"topic\": \"orders\"", "\"topic\": \"gpu-orders\"").replace("\"customers\"", "\"gpu-customers\""));
      assertEquals(Main.OK, stream("start", gpu.toString()), err());
      assertEquals("weft: no worker serves pool 'gpu' now (consumer group weft.tasks.gpu.workers has no members): the "
          + "job's batches wait for one (weft worker --pool gpu)\n", said());
      assertTrue(out().startsWith("stream job 'gpu-orders' started"), out());
      assertEquals(Main.OK, stream("stop", "gpu-orders"), err());
      assertEquals(Main.OK, stream("start", file.toString()), err());
      assertTrue(!said().contains("no worker serves"), "the default pool has weft up's worker: " + said());
      assertEquals(Main.OK, stream("stop", "orders"), err());

      // A definition no 'start' checked (another client wrote it): the scheduler refuses it, and list says why.
      String broken = JOB.replace("\"name\": \"orders\"", "\"name\": \"broken\"")
          .replace("{\"record\": \"value\"}", "{\"record\": \"body\"}");
      produce(kafka, List.of(new ProducerRecord<>(new StreamConfig(machine.config()).jobsTopic(), "broken", broken)));
      awaitRow(s -> s.get(0).equals("broken") && s.get(4).equals("1"));
      // An unnamed scheduler is scheduler-<pid>-<random suffix> (StreamConfig.instance).
      assertTrue(out().lines().anyMatch(line -> line.matches("broken on scheduler-\\d+-[0-9a-f]+: invalid graph: "
          + "task 'name' refers to 'record.body', which is not a field of a record .*")), out());
      assertEquals(Main.OK, stream("stop", "broken"), err());
    }
  }

  /** 'weft stream' alone is a usage error; each subcommand has its help. */
  @Test
  void theStreamCommandsExplainThemselves() {
    connection = new String[0];
    assertEquals(Main.USAGE, stream());
    assertTrue(err().startsWith("which? weft stream start FILE | list | pause NAME | resume NAME | stop NAME\n"),
        err());
    for (String command : List.of("start", "list", "pause", "resume", "stop")) {
      assertEquals(Main.OK, stream(command, "--help"));
      assertTrue(out().startsWith("Usage: weft stream " + command), out());
    }
  }

  /**
   * A function of a plugin folder is known to 'start' with --plugins only; the job is checked before Kafka is reached
   * (here there is none, so a valid job gets as far as saying that).
   */
  @Test
  void startChecksFunctionNamesAgainstThePluginFolderToo() throws Exception {
    Path plugins = Path.of("target", "test-plugins", "stream-command-test");
    dev.weft.function.PluginJars.build(plugins.resolve("greeter.jar"), "greeter", "\"hello from a plugin\"",
        temp.resolve("build"));
    Path file = temp.resolve("greet.json");
    Files.writeString(file, JOB.replace("\"upper\", {\"ref\": \"name\"}", "\"greeter.hello\", {\"ref\": \"name\"}"));
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    connection = new String[] {"--bootstrap", "127.0.0.1:" + closed, "--registry", "http://127.0.0.1:" + closed};
    assertEquals(Main.INVALID_GRAPH, stream("start", file.toString()));
    assertEquals("weft: stream job 'orders' (" + file + ") is invalid: unknown function 'greeter.hello' in task "
        + "'customer' (loaded modules: bag, bag-items, files, kafka-topics, builtins, records, fused)\n", err());
    assertEquals(Main.FAILED, stream("start", file.toString(), "--plugins", plugins.toString()));
    assertTrue(err().startsWith("weft: cannot reach the schema registry at http://127.0.0.1:" + closed), err());
  }

  /**
   * The unit of work on the wire: each batch is a graph of one task, {@code weft.template.map}, over at most
   * {@code maxRecords} records of one input partition; fewer graphs than records.
   */
  private static void assertBatchesAreOneTaskEach(WeftCluster machine, int maxRecords, int records) {
    WeftKafkaConfig config = new WeftKafkaConfig(machine.config());
    String topic = Topics.withDefaultPrefix().graphs();
    int graphs = 0;
    int batched = 0;
    try (SchemaRegistryClient registry = config.registryClient();
         KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config.clientProperties(),
             new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      WireCodec codec = new WireCodec(registry);
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (codec.decodeCommand(topic, record.value()) instanceof GraphCommand.Submit submit) {
            assertEquals(1, submit.graph().size(), submit.graph().toString());
            Task task = submit.graph().tasks().get(0);
            assertEquals(TemplateFunctions.MAP_TEMPLATE, task.function());
            List<?> batch = (List<?>) ((Arg.Literal) task.args().get(1)).value();
            int size = batch.size();
            assertTrue(size >= 1 && size <= maxRecords, "a batch of " + size);
            // Records of one input partition: order i went to partition i % 2.
            java.util.Set<Long> partitionsOfBatch = new java.util.HashSet<>();
            for (Object fields : batch) {
              Object id = ((Map<?, ?>) ((Map<?, ?>) fields).get("value")).get("id");
              partitionsOfBatch.add(Math.floorMod(((Number) id).longValue(), 2L));
            }
            assertEquals(1, partitionsOfBatch.size(), batch.toString());
            assertTrue(submit.graph().id().startsWith("orders-" + partitionsOfBatch.iterator().next() + "-"),
                submit.graph().id());
            graphs++;
            batched += size;
          }
        }
      }
    }
    assertTrue(batched >= records, batched + " records in batches");
    assertTrue(graphs < records, graphs + " graphs for " + records + " records");
  }

  /** The job's row of 'weft stream list', once it meets {@code condition}, as its cells. */
  private List<String> awaitRow(Predicate<List<String>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    List<String> row = null;
    while (System.nanoTime() < deadline) {
      assertEquals(Main.OK, stream("list"), err());
      List<String> lines = out().lines().toList();
      row = List.of(lines.get(1).trim().split(" {2,}"));
      if (condition.test(row)) {
        return row;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the job's row never met the condition; last: " + row);
  }

  private static void produce(Map<String, Object> kafka, List<ProducerRecord<String, String>> records)
      throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka, new StringSerializer(),
        new StringSerializer())) {
      for (ProducerRecord<String, String> record : records) {
        producer.send(record).get();
      }
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(Map<String, Object> kafka, String topic,
      int count) {
    return readCommitted(kafka, topic, count, Duration.ofMinutes(1));
  }

  /** The records of {@code topic} a read_committed consumer sees: {@code count}, or what came within the timeout. */
  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(Map<String, Object> kafka, String topic,
      int count, Duration timeout) {
    Map<String, Object> properties = new HashMap<>(kafka);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      for (int i = 0; i < 5; i++) { // more that is committed already is a duplicate the test must see
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<?, ?> record, String key) {
    var header = record.headers().lastHeader(key);
    return header == null ? null : text(header.value());
  }
}
