package dev.weft.benchmarks;

import dev.weft.broker.SchedulerService;
import dev.weft.broker.protocol.ServiceProcesses;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.function.FunctionRegistry;
import dev.weft.graph.codec.GraphJson;
import dev.weft.stream.Format;
import dev.weft.stream.JobStatus;
import dev.weft.stream.StreamJob;
import dev.weft.stream.StreamJobs;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The Weft side: a stream job whose template is the three steps of {@link PipelineFunctions}, run by a scheduler
 * service in this JVM and two worker JVMs, exactly once.
 */
final class WeftStreamPipeline implements Pipeline {
  private static final String TEMPLATE = """
      {"outputs": ["scored"],
       "tasks": {
         "parsed": ["bench.parse", {"record": "value"}],
         "enriched": ["bench.enrich", {"ref": "parsed"}],
         "scored": ["bench.pick", {"ref": "enriched"}]}}""";
  private static final int WORKERS = 2;

  private final Map<String, Object> connection = new HashMap<>();
  private final SchedulerService scheduler;
  private final List<Process> workers = new ArrayList<>();
  private final StreamJobs jobs;
  private int round;
  private String running;

  WeftStreamPipeline(String bootstrap, String registryUrl) throws Exception {
    connection.put(WeftKafkaConfig.BOOTSTRAP_SERVERS, bootstrap);
    connection.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registryUrl);
    connection.put(WeftKafkaConfig.TOPIC_PREFIX, "weft-bench-" + System.nanoTime() + ".");
    connection.put(WeftKafkaConfig.GRAPH_PARTITIONS, "4");
    connection.put(WeftKafkaConfig.TASK_PARTITIONS, "8");
    scheduler = SchedulerService.start(connection);
    if (!scheduler.awaitAssignment(Duration.ofMinutes(1))) {
      throw new IllegalStateException("the scheduler got no partitions in a minute");
    }
    Path logs = Files.createDirectories(Path.of("target", "stream-benchmark-logs"));
    for (int i = 1; i <= WORKERS; i++) {
      Map<String, Object> settings = new HashMap<>(connection);
      settings.put(WorkerConfig.NAME, "worker-" + i);
      workers.add(WorkerProcesses.start(settings, List.of("-Xmx512m"), logs.resolve("worker-" + i + ".log")));
    }
    try (Admin admin = Admin.create(new WeftKafkaConfig(connection).clientProperties())) {
      WorkerGroup.awaitActive(admin, new WorkerConfig(connection).topics(), null, WORKERS, Duration.ofMinutes(1));
    }
    jobs = StreamJobs.connect(connection);
  }

  @Override
  public String name() {
    return "Weft stream job";
  }

  @Override
  public String describe() {
    return "1 scheduler in this JVM, " + WORKERS + " worker JVMs (default threads), exactly once, batches of <= "
        + StreamJob.DEFAULT_MAX_BATCH_RECORDS + " records / " + StreamJob.DEFAULT_MAX_BATCH_WAIT_MS + " ms, "
        + StreamJob.DEFAULT_MAX_BATCHES_IN_FLIGHT + " in flight per partition";
  }

  @Override
  public void start(String inputTopic, String outputTopic) {
    running = "bench-" + (++round);
    StreamJob job = StreamJob.of(running, GraphJson.read(TEMPLATE), inputTopic, Map.of())
        .withInputs(List.of(new StreamJob.Input(inputTopic, Format.STRING, Format.STRING)))
        .withOutputs(Map.of("scored", new StreamJob.Output(outputTopic, Format.AVRO)))
        .withDeadLetters(outputTopic + ".dead-letters");
    jobs.start(job, FunctionRegistry.global());
  }

  @Override
  public void stop() throws InterruptedException {
    jobs.stop(running);
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline && jobs.list().stream().map(JobStatus::job).anyMatch(
        job -> job.name().equals(running))) {
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    jobs.close();
    ServiceProcesses.stop(workers, Duration.ofSeconds(20));
    scheduler.close();
  }
}
