package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.broker.SchedulerService;
import dev.weft.broker.SchedulerServiceConfig;
import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.dashboard.ClusterState;
import dev.weft.dashboard.ClusterView;
import dev.weft.dashboard.DashboardConfig;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft status} and {@code weft dump} against a running graph of sleeping tasks on the real embedded broker, a
 * scheduler and two worker JVMs; one worker is killed while its tasks run, and the dump says where those tasks run: on
 * that worker, which has not reported since.
 */
@Timeout(300)
class StatusAndDumpCommandTest {
  @TempDir
  Path temp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

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

  private int weft(String... args) {
    out.reset();
    err.reset();
    return Main.run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + " did not happen within " + timeout.toSeconds() + " s");
      Thread.sleep(100);
    }
  }

  @Test
  void statusAndDumpShowARunningGraphAndATaskRunningOnAKilledWorker() throws Exception {
    List<Process> workers = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore())) {
      Map<String, Object> config = new HashMap<>(kafka.connection().clientProperties());
      config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
      config.put(WeftKafkaConfig.GRAPH_PARTITIONS, "4");
      config.put(WeftKafkaConfig.TASK_PARTITIONS, "8");
      Map<String, Object> schedulerSettings = new HashMap<>(config);
      schedulerSettings.put(SchedulerServiceConfig.NAME, "scheduler-1");
      schedulerSettings.put(WeftKafkaConfig.HTTP_PORT, "-1");
      Path logs = Files.createDirectories(Path.of("target", "service-logs"));
      try (SchedulerService scheduler = SchedulerService.start(schedulerSettings);
          WeftClient client = WeftClient.connect(config);
          ClusterView view = ClusterView.start(viewSettings(config))) {
        assertTrue(scheduler.awaitAssignment(Duration.ofSeconds(60)));
        for (String name : List.of("worker-1", "worker-2")) {
          Map<String, Object> settings = new HashMap<>(config);
          settings.put(WorkerConfig.NAME, name);
          settings.put(WorkerConfig.THREADS, "2");
          // A long session: the killed worker keeps its partitions, and its tasks, while the dump looks at them.
          settings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "45000");
          workers.add(WorkerProcesses.start(settings, List.of("-Xmx256m", "-XX:+UseSerialGC"),
              logs.resolve("status-dump-" + name + ".log")));
        }
        try (Admin admin = Admin.create(kafka.connection().clientProperties())) {
          WorkerGroup.awaitActive(admin, new WeftKafkaConfig(config).topics(), null, 2, Duration.ofSeconds(90));
        }
        GraphBuilder builder = Graph.builder();
        List<Object> refs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          builder.task("nap-" + i, "sleep", 3_000L, (long) i);
          refs.add(Arg.ref("nap-" + i));
        }
        builder.task("total", "sum", refs);
        GraphFuture graph = client.submit(builder.build());
        await("worker-2 running tasks of the graph", Duration.ofSeconds(60), () -> worker(view, "worker-2")
            .map(w -> w.runningTasks().stream().anyMatch(t -> t.graphId().equals(graph.graphId()))).orElse(false));
        // The killed worker must stay listed (silent) through the dump, which may wait 15 s, and the status after: the
        // 10 s rule that removes it would race them on a loaded machine.
        String[] connection = {"--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
            "-c", DashboardConfig.GONE_AFTER_MS + "=" + GONE_AFTER_MS};

        assertEquals(Main.OK, weft(with("status", connection)), err.toString(StandardCharsets.UTF_8));
        String status = out();
        assertTrue(status.contains(graph.graphId() + "  running"), status);
        assertTrue(status.matches("(?s).*graphs: 1 running, 0 queued.*"), status);
        assertTrue(status.matches("(?s).*worker-1  default .*worker-2  default .*"), status);
        assertTrue(status.matches("(?s).*scheduler-1 .* 0-3\n.*"), "the scheduler owns the 4 partitions: " + status);
        assertTrue(status.contains("dead letters: 0"), status);

        workers.get(1).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        await("worker-2 silent", Duration.ofSeconds(30),
            () -> worker(view, "worker-2").map(ClusterState.Worker::silent).orElse(false));
        // What it ran when it last reported, before it was killed: its tasks that will never have a result from it.
        List<String> killedTasks = worker(view, "worker-2").orElseThrow().runningTasks().stream()
            .map(ClusterState.RunningTask::taskKey).toList();
        assertTrue(!killedTasks.isEmpty(), "worker-2 ran tasks when it was killed");

        Path file = temp.resolve("cluster.json");
        assertEquals(Main.OK, weft(with("dump", connection, "-o", file.toString())),
            err.toString(StandardCharsets.UTF_8));
        JsonNode dump = ClusterView.json().readTree(file.toFile());
        JsonNode running = null;
        for (JsonNode g : dump.path("graphs")) {
          if (g.path("id").asText().equals(graph.graphId())) {
            running = g;
          }
        }
        assertTrue(running != null, "the graph is in the dump: " + dump);
        assertEquals("running", running.path("state").asText());
        JsonNode tasks = running.path("tasks");
        assertEquals(25, tasks.path("total").asInt(), tasks.toString());
        JsonNode onKilled = null;
        for (JsonNode task : tasks.path("running")) {
          if (task.path("worker").asText().equals("worker-2")) {
            onKilled = task;
          }
        }
        assertTrue(onKilled != null, "a task running on the killed worker: " + tasks);
        assertTrue(killedTasks.contains(onKilled.path("key").asText()), onKilled + " was running on it as it last "
            + "reported: " + killedTasks);
        assertTrue(onKilled.path("workerSilent").asBoolean(), onKilled.toString());
        assertTrue(onKilled.path("workerSilentMs").asLong() > 2_000, "silent longer than the rule's 2 s: " + onKilled);
        JsonNode total = tasks.path("waiting").get(0);
        assertEquals("total", total.path("key").asText(), "total waits on the naps");
        assertTrue(total.path("unfinishedInputs").asInt() > 0, total.toString());
        for (JsonNode done : tasks.path("done")) {
          assertTrue(done.path("offset").asLong() >= 0, "where each result is: " + done);
        }
        JsonNode silentWorker = null;
        for (JsonNode w : dump.path("workers")) {
          if (w.path("name").asText().equals("worker-2")) {
            silentWorker = w;
          }
        }
        assertTrue(silentWorker != null && silentWorker.path("silent").asBoolean(), dump.path("workers").toString());
        assertTrue(silentWorker.path("lastReportAt").asLong() > 0);
        assertEquals("scheduler-1", dump.path("schedulers").get(0).path("name").asText());
        assertEquals("[0,1,2,3]", dump.path("schedulers").get(0).path("partitions").toString());
        assertEquals(8, dump.path("pools").get(0).path("partitionLag").size(), "the lag of each tasks partition");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cluster state written to " + file),
            err.toString(StandardCharsets.UTF_8));

        originalOut.println("weft dump, a task on the killed worker: " + onKilled + "\nthe graph: "
            + ClusterView.json().writerWithDefaultPrettyPrinter().writeValueAsString(running));
        assertEquals(Main.OK, weft(with("status", connection)));
        assertTrue(out().matches("(?s).*worker-2  default .* silent for \\d+\\.\\d s.*"), out());
        originalOut.println("weft status, a worker killed:\n" + out());
        graph.cancel(true);
      }
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
  }

  private static Optional<ClusterState.Worker> worker(ClusterView view, String name) {
    return view.state().workers().stream().filter(w -> w.name().equals(name)).findFirst();
  }

  /** A worker stays listed this long after its last report here: longer than the test. */
  private static final String GONE_AFTER_MS = "300000";

  private static Map<String, Object> viewSettings(Map<String, Object> config) {
    Map<String, Object> settings = new HashMap<>(config);
    settings.put(DashboardConfig.GONE_AFTER_MS, GONE_AFTER_MS);
    return settings;
  }

  private static String[] with(String command, String[] connection, String... more) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of(connection));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }
}
