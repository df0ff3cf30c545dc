package dev.weft.dashboard;

import dev.weft.broker.SchedulerService;
import dev.weft.broker.SchedulerServiceConfig;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A Weft deployment for a dashboard test, on the test JVM's shared broker under a prefix of its own: an embedded
 * registry, a scheduler service in this JVM (which serves the dashboard on a free port), workers in JVMs of their own
 * (which a test may kill) or in this one, and a client.
 */
final class LiveCluster implements AutoCloseable {
  private final EmbeddedSchemaRegistry registry;
  private final Map<String, Object> config;
  private final List<AutoCloseable> services = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path logs;
  private final TestKafka kafka;
  private SchedulerService scheduler;
  private WeftClient client;

  /** @param settings more settings for every component (the dashboard's rules, say) */
  LiveCluster(TestKafka kafka, Map<String, String> settings) throws Exception {
    this.kafka = kafka;
    this.registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    this.config = new HashMap<>(kafka.clientProperties());
    config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
    config.put(WeftKafkaConfig.TOPIC_PREFIX, kafka.uniqueName("weft") + ".");
    config.put(WeftKafkaConfig.GRAPH_PARTITIONS, "4");
    config.put(WeftKafkaConfig.TASK_PARTITIONS, "8");
    // A worker killed in a test hands its partitions over within seconds, not Kafka's default 45.
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    config.putAll(settings);
    this.logs = Files.createDirectories(Path.of("target", "service-logs"));
  }

  Map<String, Object> config() {
    return config;
  }

  /** The scheduler, serving HTTP (and so the dashboard) on a free port of 127.0.0.1. */
  SchedulerService scheduler() throws Exception {
    Map<String, Object> settings = new HashMap<>(config);
    settings.put(SchedulerServiceConfig.NAME, "scheduler-1");
    settings.put(WeftKafkaConfig.HTTP_PORT, "0");
    scheduler = SchedulerService.start(settings);
    services.add(scheduler);
    if (!scheduler.awaitAssignment(Duration.ofSeconds(60))) {
      throw new IllegalStateException("the scheduler got no partitions in 60 s");
    }
    return scheduler;
  }

  /** A worker in a JVM of its own, which the test may kill; its log is under target/service-logs. */
  Process workerProcess(String name, int threads) throws Exception {
    Map<String, Object> settings = new HashMap<>(config);
    settings.put(WorkerConfig.NAME, name);
    settings.put(WorkerConfig.THREADS, Integer.toString(threads));
    Process process = WorkerProcesses.start(settings, List.of("-Xmx256m", "-XX:+UseSerialGC"),
        logs.resolve(kafka.uniqueName(name) + ".log"));
    processes.add(process);
    return process;
  }

  /** A worker in this JVM. */
  Worker worker(String name, int threads) {
    Map<String, Object> settings = new HashMap<>(config);
    settings.put(WorkerConfig.NAME, name);
    settings.put(WorkerConfig.THREADS, Integer.toString(threads));
    Worker worker = Worker.start(settings);
    services.add(worker);
    return worker;
  }

  WeftClient client() {
    if (client == null) {
      client = WeftClient.connect(config);
      services.add(client);
    }
    return client;
  }

  /** Waits until {@code condition} holds, asking every 100 ms, or fails saying what it waited for. */
  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    WorkerProcesses.stop(processes, Duration.ofSeconds(10));
    for (int i = services.size() - 1; i >= 0; i--) {
      try {
        services.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("a service of the cluster did not close", e);
      }
    }
    registry.close();
  }
}
