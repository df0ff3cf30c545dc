package dev.weft.cluster;

import static dev.weft.cluster.Checks.assertReleased;
import static dev.weft.cluster.Checks.await;
import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.SchedulerService;
import dev.weft.broker.client.TaskFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.graph.Graph;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster with worker processes, as {@code WeftCluster.local()} starts it (one worker of one thread here, to keep the
 * test small; {@code QuickStartTest} runs {@code local()} itself): what it prints, a graph through its client, the
 * supervisor, and what close stops. One cluster for the class; the last test closes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class WeftClusterTest {
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private WeftCluster cluster;

  @BeforeAll
  void start() {
    cluster = WeftCluster.builder().workers(1).threadsPerWorker(1)
        .log(new PrintStream(output, true, StandardCharsets.UTF_8)).start();
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private String printed() {
    return output.toString(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void printsALinePerComponentAndSaysWhereTheyAre() throws Exception {
    assertTrue(cluster.bootstrapServers().startsWith("127.0.0.1:"), cluster.bootstrapServers());
    assertTrue(cluster.registryUrl().startsWith("http://127.0.0.1:"), cluster.registryUrl());
    assertTrue(Checks.listening(cluster.bootstrapServers()), "Kafka listens");
    assertTrue(Checks.listening(Checks.hostAndPort(cluster.registryUrl())), "the registry listens");
    assertEquals(cluster.bootstrapServers(), cluster.config().get("bootstrap.servers"));
    assertEquals(cluster.registryUrl(), cluster.config().get("schema.registry.url"));
    String[] lines = printed().split("\n");
    assertTrue(lines[0].matches("Kafka \\S+ broker at " + Pattern.quote(cluster.bootstrapServers())), printed());
    assertEquals("schema registry at " + cluster.registryUrl() + " (embedded)", lines[1]);
    assertEquals("scheduler running", lines[2]);
    // 8787 unless another process holds it (another test JVM, say): then a free port.
    assertEquals("127.0.0.1", cluster.dashboardUrl().getHost());
    assertEquals("dashboard at " + cluster.dashboardUrl(), lines[3]);
    assertEquals("ok\n", Checks.get(cluster.dashboardUrl().resolve("health")), "the scheduler serves it");
    assertTrue(Checks.get(cluster.dashboardUrl()).contains("<title>Weft dashboard</title>"),
        "the dashboard module comes with the cluster");
    assertTrue(lines[4].matches("1 worker processes ready \\(logs in .+\\); up in [0-9.]+ s"), printed());
  }

  @Test
  @Order(2)
  void computesThroughItsClientOnWorkerProcesses() throws Exception {
    WeftClient client = cluster.client();
    assertSame(client, cluster.client(), "one client");
    TaskFuture<Object> x = client.submit("inc", 1L);
    TaskFuture<Object> y = client.submit("add", x, 10L);
    assertEquals(List.of(2L, 12L), client.gather(List.of(x, y), Duration.ofMinutes(1)));

    Graph graph = Graph.builder().task("a", "inc", 1).task("b", "add", ref("a"), 10)
        .task("where", "cluster-test.pid", ref("b")).build();
    Map<String, Object> values = WeftClient.await(client.submit(graph, List.of("b", "where")), Duration.ofMinutes(1));
    assertEquals(12L, ((Number) values.get("b")).longValue());
    // The caller's own module reached the worker JVM through the class path, and ran there, not here.
    assertNotEquals(ProcessHandle.current().pid(), ((Number) values.get("where")).longValue());
    assertEquals(cluster.machine().workerProcesses().get(0).pid(), ((Number) values.get("where")).longValue());
  }

  @Test
  @Order(3)
  void aWorkerOrSchedulerThatStopsIsReportedAndStartedAgain() throws Exception {
    OneMachine machine = cluster.machine();
    Process worker = machine.workerProcesses().get(0);
    worker.destroyForcibly();
    await(() -> printed().contains("worker-1 stopped with exit code 137"), "the supervisor's report");
    await(() -> machine.workerProcesses().get(0).isAlive() && machine.workerProcesses().get(0) != worker,
        "a new worker");

    SchedulerService scheduler = machine.scheduler();
    scheduler.close(); // as if its loop had stopped on its own
    await(() -> printed().contains("the scheduler stopped"), "the supervisor's report");
    await(() -> machine.scheduler() != scheduler && machine.scheduler().isRunning(), "a new scheduler");

    Graph graph = Graph.builder().task("a", "inc", 1).task("b", "add", ref("a"), 10).build();
    assertEquals(12L, ((Number) cluster.client().compute(graph, Duration.ofMinutes(2)).get("b")).longValue());
  }

  @Test
  @Order(4)
  void closeStopsEverythingItStarted() throws Exception {
    OneMachine machine = cluster.machine();
    List<Process> workers = machine.workerProcesses();
    SchedulerService scheduler = machine.scheduler();
    String dashboard = cluster.dashboardUrl().getHost() + ":" + cluster.dashboardUrl().getPort();
    Matcher logs = Pattern.compile("\\(logs in (.+)\\)").matcher(printed());
    assertTrue(logs.find(), printed());
    Path workerLogs = Path.of(logs.group(1));
    assertTrue(Files.isDirectory(workerLogs), workerLogs.toString());

    cluster.close();

    for (Process worker : workers) {
      assertTrue(!worker.isAlive() && ProcessHandle.of(worker.pid()).map(ProcessHandle::isAlive).orElse(false)
          == false, "worker process " + worker.pid() + " is gone");
    }
    assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "no child process is left");
    assertTrue(!scheduler.isRunning(), "the scheduler stopped");
    assertReleased(cluster.bootstrapServers(), "Kafka");
    assertReleased(Checks.hostAndPort(cluster.registryUrl()), "the registry");
    assertReleased(dashboard, "the dashboard");
    assertTrue(!Files.exists(workerLogs), "the workers' logs are removed");
    assertTrue(printed().endsWith("stopped\n"), printed());
    assertThrows(IllegalStateException.class, cluster::client);
    cluster.close(); // again: nothing happens
  }
}
