package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.cluster.WeftCluster;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one-machine mode as an operator meets it, through the weft command: weft up, and submit, stream and registry
 * against its cluster (WeftClusterTest tests the cluster itself).
 */
@org.junit.jupiter.api.Timeout(300) // several read the output of child JVMs: one that hangs must fail its test
class OneMachineTest {
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(output, true, StandardCharsets.UTF_8);

  private String printed() {
    return output.toString(StandardCharsets.UTF_8);
  }

  /**
   * Stopping 'weft up --keep-running' (Ctrl-C, SIGTERM) closes Kafka last, after the registry and the clients that use
   * it: Kafka's own hook used to close it first, and the rest then waited half a minute for it to answer.
   */
  @Test
  void stoppingWeftUpClosesKafkaAfterEverythingThatUsesIt() throws Exception {
    Process up = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "up", "--keep-running", "--tasks", "100",
        "--workers", "1", "--threads", "1").redirectErrorStream(true).start();
    StringBuilder said = new StringBuilder();
    try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(up.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      boolean stopping = false;
      while ((line = lines.readLine()) != null) {
        said.append(line).append('\n');
        if (!stopping && line.contains("Ctrl-C stops everything")) {
          stopping = true;
          up.toHandle().destroy(); // SIGTERM, as Ctrl-C; Process.destroy() would close the output being read
        }
      }
    } finally {
      up.destroyForcibly();
    }
    assertTrue(up.waitFor(2, TimeUnit.MINUTES));
    String log = said.toString();
    int registryStopped = log.indexOf("INFO EmbeddedSchemaRegistry - Schema registry at");
    int kafkaClosed = log.indexOf("INFO EmbeddedKafka - Closed the Kafka broker");
    assertTrue(registryStopped > 0 && kafkaClosed > registryStopped, log);
    assertTrue(!log.contains("weft-kafka-shutdown"), "Kafka's own hook did not run: " + log);
  }

  /**
   * The worker JVMs of weft up map the class data archive its own JVM was started with (the weft script passes the
   * build's), and an archive that does not match their class path (the jars were rebuilt) costs no warning, neither
   * in weft up's output nor in a worker's log: the JVMs only load their classes the slow way.
   */
  @Test
  void workerJvmsMapTheArchiveOfWeftUpAndAStaleOneSaysNothing(@org.junit.jupiter.api.io.TempDir Path temp)
      throws Exception {
    String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // An archive recorded on another class path (a jar whose class it holds): stale for weft up's class path.
    Path probe = java.nio.file.Files.writeString(temp.resolve("Probe.java"),
        "class Probe { public static void main(String[] a) throws Exception { Class.forName(a[0]); } }");
    Path archive = temp.resolve("stale.jsa");
    String slf4j = Path.of(org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
    Process record = new ProcessBuilder(javaCommand, "-XX:ArchiveClassesAtExit=" + archive, "-cp", slf4j,
        probe.toString(), "org.slf4j.LoggerFactory").redirectErrorStream(true).start();
    String recorded = new String(record.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(record.waitFor(1, TimeUnit.MINUTES) && java.nio.file.Files.isRegularFile(archive), recorded);

    Process up = new ProcessBuilder(javaCommand, "-XX:SharedArchiveFile=" + archive, "-Xshare:auto",
        "-Xlog:cds=off,cds+dynamic=off", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "up",
        "--keep-running", "--tasks", "100", "--workers", "1", "--threads", "1").redirectErrorStream(true).start();
    StringBuilder said = new StringBuilder();
    List<String> workerArguments = new java.util.ArrayList<>();
    String workerLog = null;
    try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(up.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      boolean stopping = false;
      while ((line = lines.readLine()) != null) {
        said.append(line).append('\n');
        java.util.regex.Matcher logs = java.util.regex.Pattern.compile("ready \\(logs in (.*)\\); up in").matcher(line);
        if (logs.find()) {
          // Its command line as the kernel has it: ProcessHandle.Info cuts a command line as long as this one.
          for (ProcessHandle child : up.toHandle().descendants().toList()) {
            workerArguments.addAll(List.of(new String(java.nio.file.Files.readAllBytes(Path.of("/proc",
                Long.toString(child.pid()), "cmdline")), StandardCharsets.UTF_8).split("\0")));
          }
          workerLog = java.nio.file.Files.readString(Path.of(logs.group(1), "worker-1.log"));
        }
        if (!stopping && line.contains("Ctrl-C stops everything")) {
          stopping = true;
          up.toHandle().destroy();
        }
      }
    } finally {
      up.destroyForcibly();
    }
    assertTrue(up.waitFor(2, TimeUnit.MINUTES));
    String log = said.toString();
    assertTrue(log.contains("(correct)"), log);
    assertTrue(workerArguments.contains("-XX:SharedArchiveFile=" + archive.toAbsolutePath()), "the worker JVM maps "
        + "the archive: " + workerArguments);
    assertTrue(workerLog != null && !workerLog.contains("cds") && !workerLog.contains("shared archive"), "no warning"
        + " in the worker's log: " + workerLog);
    assertTrue(!log.contains("[cds") && !log.contains("shared archive"), "no warning from weft up: " + log);
  }

  /**
   * A WEFT_REGISTRY_URL left from an earlier 'weft up' (whose advice exports it) names a registry that stopped with it:
   * the next 'weft up' failed on it with a long trace. It starts a registry of its own, and says it passed over it.
   */
  @Test
  void aStaleRegistryUrlInTheEnvironmentDoesNotBreakWeftUp() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "up", "--tasks", "100", "--workers", "1",
        "--threads", "1").redirectErrorStream(true);
    builder.environment().put(ConnectionOptions.REGISTRY_ENV, "http://127.0.0.1:" + closed);
    Process up = builder.start();
    String log = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(up.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, up.exitValue(), log);
    assertTrue(log.contains("(WEFT_REGISTRY_URL is set, to http://127.0.0.1:" + closed + "; weft up starts a registry"
        + " of its own: -c schema.registry.url=URL uses another)"), log);
    assertTrue(log.contains(" (embedded)") && log.contains("(correct)"), log);
    assertTrue(log.matches("(?s).*\ndashboard at http://127\\.0\\.0\\.1:[0-9]+/\n.*"), "weft up says where its "
        + "dashboard is: " + log);
  }

  /**
   * A graph with tasks for a pool that no worker serves sat at 0% until the timeout, with nothing said: submit names the
   * pool. And weft up without workers, which waited for ever, is a usage error.
   */
  @Test
  void aPoolWithoutWorkersIsNamedAndWeftUpWithoutWorkersIsRefused(@org.junit.jupiter.api.io.TempDir Path temp)
      throws Exception {
    Path file = temp.resolve("gpu.json");
    java.nio.file.Files.writeString(file, "{\"tasks\": {\"a\": [\"inc\", 1], \"g\": {\"function\": \"inc\", "
        + "\"args\": [{\"ref\": \"a\"}], \"pool\": \"gpu\"}}}");
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (WeftCluster machine = WeftCluster.builder().workers(1).threadsPerWorker(1).log(log).start()) {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      try {
        status = Main.run("submit", file.toString(), "--bootstrap", machine.bootstrapServers(), "--registry",
            machine.registryUrl(), "--timeout", "PT3S", "--no-progress");
      } finally {
        System.setErr(originalErr);
      }
    }
    String said = err.toString(StandardCharsets.UTF_8);
    assertEquals(Main.FAILED, status, said);
    assertTrue(said.contains("weft: no worker serves pool 'gpu' now (consumer group weft.tasks.gpu.workers has no "
        + "members): the graph's tasks of that pool wait for one (weft worker --pool gpu)"), said);
    assertTrue(!said.contains("pool 'default'"), said);

    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      err.reset();
      assertEquals(Main.USAGE, Main.run("up", "--workers", "0"));
    } finally {
      System.setErr(originalErr);
    }
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--workers and --threads must be at least 1 (were 0 and"
        + " 2)"), err.toString(StandardCharsets.UTF_8));
  }

  /** Stopping 'weft submit' while it waits (Ctrl-C, SIGTERM) cancels its graph, which ran on unread before. */
  @Test
  void stoppingWeftSubmitCancelsItsGraph(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
    Path file = temp.resolve("slow.json");
    java.nio.file.Files.writeString(file, "{\"tasks\": {\"slow\": [\"sleep\", 20000, 1]}}");
    try (WeftCluster machine = WeftCluster.builder().workers(1).threadsPerWorker(1).log(log).start();
         dev.weft.registry.SchemaRegistryClient registry = new dev.weft.broker.protocol.WeftKafkaConfig(
             machine.config()).registryClient();
         org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> events =
             dev.weft.broker.protocol.KafkaClients.plainConsumer(new java.util.HashMap<>(machine.config()), "test")) {
      dev.weft.broker.protocol.WireCodec codec = new dev.weft.broker.protocol.WireCodec(registry);
      String topic = dev.weft.broker.protocol.Topics.withDefaultPrefix().events();
      events.assign(events.partitionsFor(topic).stream()
          .map(info -> new org.apache.kafka.common.TopicPartition(topic, info.partition())).toList());
      events.seekToBeginning(events.assignment());
      Process submit = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), Main.class.getName(), "submit", file.toString(), "--bootstrap",
          machine.bootstrapServers(), "--registry", machine.registryUrl(), "--no-progress")
          .redirectErrorStream(true).start();
      try {
        String accepted = awaitEvent(events, codec, null, "ACCEPTED");
        submit.toHandle().destroy(); // SIGTERM, as Ctrl-C
        assertTrue(submit.waitFor(1, TimeUnit.MINUTES));
        String said = new String(submit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(said.contains("weft: stopped; graph " + accepted + " was cancelled"), said);
        assertEquals(accepted, awaitEvent(events, codec, accepted, "CANCELLED"));
      } finally {
        submit.destroyForcibly();
      }
    }
  }

  /** The id of the first graph (or of {@code graphId}) with an event of {@code type}, waiting up to two minutes. */
  private static String awaitEvent(org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> events,
      dev.weft.broker.protocol.WireCodec codec, String graphId, String type) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      for (var record : events.poll(Duration.ofMillis(200))) {
        var event = codec.decodeEvent(record.topic(), record.value());
        if (event.type().name().equals(type) && (graphId == null || graphId.equals(event.graphId()))) {
          return event.graphId();
        }
      }
    }
    throw new AssertionError("no " + type + " event within 2 minutes");
  }

  /** A plugin folder given to weft up reaches its scheduler (which checks function names) and its workers. */
  @Test
  void pluginFunctionsRunOnTheBrokerOfWeftUp(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
    Path plugins = temp.resolve("plugins");
    dev.weft.function.PluginJars.build(plugins.resolve("greeter.jar"), "greeter", "\"hello from a plugin\"",
        temp.resolve("build"));
    Path file = temp.resolve("greet.json");
    java.nio.file.Files.writeString(file, "{\"tasks\": {\"g\": [\"greeter.hello\"]}}");
    PrintStream originalOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status;
    try (WeftCluster machine = WeftCluster.builder().workers(1).threadsPerWorker(1)
        .setting(PluginOptions.PLUGIN_DIR, plugins.toString()).log(log).start()) {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        status = Main.run("submit", file.toString(), "--bootstrap", machine.bootstrapServers(), "--registry",
            machine.registryUrl(), "--no-progress", "--summary");
      } finally {
        System.setOut(originalOut);
      }
    }
    assertEquals(Main.OK, status, printed());
    assertEquals("g = hello from a plugin\n", out.toString(StandardCharsets.UTF_8));
  }

  /**
   * 'weft registry' serves the registry API on its schemas topic in the given Kafka, until it is stopped; -c settings
   * reach its store (the topic here) and the store's Kafka clients (a secured Kafka needs them).
   */
  @Test
  void weftRegistryServesTheRegistryApiUntilStopped() throws Exception {
    try (dev.weft.kafka.embedded.EmbeddedKafka kafka = dev.weft.kafka.embedded.EmbeddedKafka.start()) {
      Process registry = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "registry", "--port", "0",
          "--bootstrap", kafka.bootstrapServers(), "-c", "kafkastore.topic=_team_schemas", "-c",
          "security.protocol=PLAINTEXT").redirectErrorStream(true).start();
      try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
          registry.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        String url = null;
        while (url == null && (line = lines.readLine()) != null) {
          if (line.startsWith("schema registry ready at ")) {
            url = line.substring("schema registry ready at ".length(), line.indexOf(" (schemas in Kafka"));
          }
        }
        assertTrue(url != null, "the registry said where it is");
        try (dev.weft.registry.RestSchemaRegistryClient client = dev.weft.registry.RestSchemaRegistryClient.builder()
            .baseUrl(url).build()) {
          int id = client.register("orders-value", new org.apache.avro.Schema.Parser().parse("\"string\""));
          assertEquals(List.of("orders-value"), client.subjects());
          assertEquals(id, client.register("orders-value", new org.apache.avro.Schema.Parser().parse("\"string\"")));
        }
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
            "bootstrap.servers", kafka.bootstrapServers()))) {
          assertTrue(admin.listTopics().names().get(1, TimeUnit.MINUTES).contains("_team_schemas"),
              "the schemas are in the topic given with -c");
        }
        registry.toHandle().destroy(); // SIGTERM, as Ctrl-C
        assertTrue(registry.waitFor(1, TimeUnit.MINUTES));
      } finally {
        registry.destroyForcibly();
      }
    }
  }

  /** Once only WEFT_REGISTRY_URL was read: the scheduler, workers and client used an embedded registry instead. */
  @Test
  void aRegistryGivenWithDashCIsTheOneEveryComponentUses() throws Exception {
    try (EmbeddedSchemaRegistry given = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
         RestSchemaRegistryClient registry = RestSchemaRegistryClient.builder().baseUrl(given.url()).build()) {
      PrintStream original = System.out;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int status;
      try {
        status = Main.run("up", "--tasks", "300", "--workers", "1", "--threads", "1", "-c",
            "schema.registry.url=" + given.url());
      } finally {
        System.setOut(original);
      }
      assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
      // The client wrote graphs, the scheduler tasks and events, the worker results and its reports: each under the
      // given registry.
      assertEquals(List.of("weft.events-value", "weft.graphs-value", "weft.results-value",
          "weft.tasks.default-value", "weft.workers-value"), registry.subjects());
    }
    assertEquals("  export WEFT_KAFKA_BOOTSTRAP=127.0.0.1:9 WEFT_REGISTRY_URL=http://r:1\n"
        + "  ./weft submit -c linger.ms=5 graph.json\n"
        + "  ./weft stream start -c linger.ms=5 job.json   (then: ./weft stream list -c linger.ms=5)\n"
        + "  kcat -b 127.0.0.1:9 -L   (any Kafka client: the topics are on this broker)\n",
        UpCommand.howToSubmit("127.0.0.1:9", "http://r:1",
            new LinkedHashMap<>(Map.of("schema.registry.url", "http://r:1", "linger.ms", "5"))).replace(
                System.lineSeparator(), "\n"));
  }
}
