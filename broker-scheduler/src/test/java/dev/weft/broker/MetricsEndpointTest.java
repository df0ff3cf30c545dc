package dev.weft.broker;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.client.WeftClient;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.Task;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus scrapes of a scheduler and a worker, over HTTP, against the real broker: their task counters advance
 * by the tasks of each function a graph ran, and a failing task's attempts move failed and retried.
 */
@WithKafka
class MetricsEndpointTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static InJvmDeployment deployment;
  private static Worker worker;
  private static WeftClient client;

  @BeforeAll
  static void start(TestKafka kafka) throws Exception {
    deployment = new InJvmDeployment(kafka);
    worker = deployment.startWorker("metered", Map.of(WorkerConfig.THREADS, "2"));
    client = WeftClient.connect(deployment.connection());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (deployment != null) {
      deployment.close();
    }
  }

  private static Scrape scheduler() throws Exception {
    return new Scrape(InJvmDeployment.scrape(deployment.scheduler().httpAddress()));
  }

  private static Scrape worker() throws Exception {
    return new Scrape(InJvmDeployment.scrape(worker.httpAddress()));
  }

  /** 10 inc, 6 mul, 4 upper and one sum of the incs and muls: 21 tasks. */
  private static Graph graph() {
    GraphBuilder graph = Graph.builder();
    List<Arg> numbers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      graph.task("inc-" + i, "inc", (long) i);
      numbers.add(ref("inc-" + i));
    }
    for (int i = 0; i < 6; i++) {
      graph.task("mul-" + i, "mul", (long) i, 2L);
      numbers.add(ref("mul-" + i));
    }
    for (int i = 0; i < 4; i++) {
      graph.task("upper-" + i, "upper", "word " + i);
    }
    return graph.task("total", "sum", numbers).outputs("total", "upper-0").build();
  }

  @Test
  void theCountersOfTheSchedulerAndTheWorkerAdvanceByTheTasksOfEachFunction() throws Exception {
    Scrape schedulerBefore = scheduler();
    Scrape workerBefore = worker();
    Map<String, Object> outputs = client.compute(graph(), WAIT);
    assertEquals(55L + 30L, outputs.get("total"), "1..10 and 2 x (0..5)");
    Scrape schedulerAfter = scheduler();
    Scrape workerAfter = worker();

    Map<String, Double> perFunction = Map.of("inc", 10.0, "mul", 6.0, "upper", 4.0, "sum", 1.0);
    assertEquals(perFunction, Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_emitted_total"));
    assertEquals(perFunction, Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_completed_total"));
    assertEquals(21.0, schedulerAfter.sum("weft_tasks_completed_total")
        - schedulerBefore.sum("weft_tasks_completed_total"), "the graph's 21 tasks, summed over its functions");
    assertEquals(perFunction, Scrape.advanced(schedulerBefore, schedulerAfter, "weft_task_duration_seconds_count"));
    assertEquals(Map.of(), Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_failed_total"));
    assertEquals(Map.of(), Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_retried_total"));
    assertEquals(1.0, schedulerAfter.sum("weft_graphs_completed_total")
        - schedulerBefore.sum("weft_graphs_completed_total"));
    assertEquals(perFunction, Scrape.advanced(workerBefore, workerAfter, "weft_tasks_completed_total"),
        "the one worker ran them all");
    assertEquals(perFunction, Scrape.advanced(workerBefore, workerAfter, "weft_task_duration_seconds_count"));

    // What else a scrape must hold, with the names Prometheus expects.
    // Gauges are published at the end of the scheduler's turn, which may still run when the client has the outcome.
    Scrape settled = schedulerAfter;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while ((settled.sum("weft_graphs_running") != 0.0 || settled.sum("weft_tasks_in_flight") != 0.0)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
      settled = scheduler();
    }
    assertEquals(Map.of("default", 0.0), settled.byLabel("weft_tasks_in_flight", "pool"));
    assertEquals(0.0, settled.sum("weft_graphs_running"));
    assertTrue(schedulerAfter.has("weft_task_duration_seconds_bucket"), "a histogram");
    assertTrue(schedulerAfter.has("kafka_consumer_fetch_manager_records_lag_max"), "the consumers' lag");
    assertTrue(schedulerAfter.has("jvm_memory_used_bytes"), "the JVM's meters");
    assertEquals(16.0, workerAfter.sum("weft_cache_hits_total") + workerAfter.sum("weft_cache_misses_total")
        - workerBefore.sum("weft_cache_hits_total") - workerBefore.sum("weft_cache_misses_total"),
        "the sum's 16 inputs, each found in the worker's cache or read from Kafka");
    assertTrue(workerAfter.has("weft_cache_bytes") && workerAfter.has("weft_tasks_running")
        && workerAfter.has("weft_tasks_queued") && workerAfter.has("kafka_consumer_fetch_manager_records_lag_max"));
    System.out.println("METRICS " + schedulerAfter.line("weft_tasks_completed_total{"));
    System.out.println("METRICS " + workerAfter.line("weft_task_duration_seconds_bucket{"));
  }

  @Test
  void aTaskThatFailsAfterItsRetriesMovesFailedAndRetried() throws Exception {
    Scrape schedulerBefore = scheduler();
    Scrape workerBefore = worker();
    Graph graph = Graph.builder().task("ok", "inc", 1L)
        .task(Task.of("bad", "fail", "broken on purpose").withRetries(2)).build();
    TaskFailedException failed = assertThrows(TaskFailedException.class,
        () -> WeftClient.await(client.submit(graph), WAIT));
    assertEquals(3, failed.attempts());
    Scrape schedulerAfter = scheduler();
    Scrape workerAfter = worker();

    assertEquals(Map.of("fail", 2.0), Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_retried_total"));
    assertEquals(Map.of("fail", 1.0), Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_failed_total"),
        "the task failed once for good");
    assertEquals(3.0, Scrape.advanced(schedulerBefore, schedulerAfter, "weft_tasks_emitted_total").get("fail"),
        "three attempts written");
    assertEquals(1.0, schedulerAfter.sum("weft_graphs_failed_total") - schedulerBefore.sum("weft_graphs_failed_total"));
    assertEquals(Map.of("fail", 3.0), Scrape.advanced(workerBefore, workerAfter, "weft_tasks_failed_total"),
        "the worker ran three attempts that failed");
    assertNotNull(workerAfter.line("weft_tasks_failed_total{"));
  }
}
