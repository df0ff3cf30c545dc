package dev.weft.cluster;

import static dev.weft.cluster.Checks.assertReleased;
import static dev.weft.cluster.Checks.await;
import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.SchedulerService;
import dev.weft.graph.Graph;
import dev.weft.worker.Worker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code processes(false)}, as Dask's {@code Client(processes=False)}: the workers run in this JVM, with the caller's
 * own function modules; one that stops is started again; close stops them. One cluster for the class; the last test
 * closes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class InProcessWorkersTest {
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private WeftCluster cluster;

  @BeforeAll
  void start() {
    cluster = WeftCluster.builder().processes(false).workers(2).threadsPerWorker(1).setting("weft.http.port", "-1")
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

  private long pidOfATask() {
    Graph graph = Graph.builder().task("a", "inc", 1).task("where", "cluster-test.pid", ref("a")).build();
    return ((Number) cluster.client().compute(graph, Duration.ofMinutes(1)).get("where")).longValue();
  }

  @Test
  @Order(1)
  void tasksRunInThisJvmWithTheCallersOwnFunctions() {
    assertTrue(printed().contains("\nscheduler running\n2 in-process workers ready (1 thread each); up in "), printed());
    assertEquals(null, cluster.dashboardUrl(), "weft.http.port -1: no dashboard");
    assertEquals(List.of(), cluster.machine().workerProcesses());
    assertEquals(2, cluster.machine().inProcessWorkers().size());
    long before = WhereFunctions.RUN_HERE.get();
    assertEquals(ProcessHandle.current().pid(), pidOfATask());
    assertEquals(before + 1, WhereFunctions.RUN_HERE.get(), "the task ran in this JVM's copy of the module");
  }

  @Test
  @Order(2)
  void aWorkerWhoseLoopStoppedIsReportedAndStartedAgain() throws Exception {
    OneMachine machine = cluster.machine();
    Worker worker = machine.inProcessWorkers().get(1);
    worker.close(); // as if its loop had stopped on its own
    await(() -> printed().contains("worker-2 stopped (null); starting it again"), "the supervisor's report");
    await(() -> machine.inProcessWorkers().get(1) != worker && machine.inProcessWorkers().get(1).isRunning(),
        "a new worker");
    assertEquals(ProcessHandle.current().pid(), pidOfATask());
  }

  @Test
  @Order(3)
  void closeStopsTheWorkersTheSchedulerAndKafka() throws Exception {
    OneMachine machine = cluster.machine();
    List<Worker> workers = machine.inProcessWorkers();
    SchedulerService scheduler = machine.scheduler();

    cluster.close();

    assertTrue(workers.stream().noneMatch(Worker::isRunning), "the workers stopped");
    // A pool thread is still alive for a moment after its pool has terminated.
    await(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(thread -> thread.isAlive() && thread.getName().startsWith("weft-worker-")),
        "the end of every thread of a worker");
    assertTrue(!scheduler.isRunning(), "the scheduler stopped");
    assertReleased(cluster.bootstrapServers(), "Kafka");
    assertReleased(Checks.hostAndPort(cluster.registryUrl()), "the registry");
    assertTrue(printed().endsWith("stopped\n"), printed());
  }
}
