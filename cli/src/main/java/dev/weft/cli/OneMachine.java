package dev.weft.cli;

import dev.weft.broker.SchedulerService;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.registry.embedded.KafkaSchemaStore;
import dev.weft.registry.embedded.RegistryEndpoint;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole broker deployment on this machine: an embedded Kafka broker, a schema registry (embedded, on a compacted
 * topic of that broker, unless {@code WEFT_REGISTRY_URL} names one), a scheduler service in this JVM, and worker
 * JVMs. Everything listens on 127.0.0.1. Closing stops it all, workers first, gracefully.
 */
public final class OneMachine implements AutoCloseable {
  /** Environment variable with extra JVM options for the worker processes, such as {@code -Xmx2g}. */
  public static final String WORKER_JAVA_OPTS = "WEFT_WORKER_JAVA_OPTS";

  private final PrintStream log;
  private final Map<String, Object> config = new HashMap<>();
  private final List<Process> workers = new ArrayList<>();
  // Set one by one as they start; a start that fails stops what had started.
  private EmbeddedKafka kafka;
  private RegistryEndpoint registry;
  private SchedulerService scheduler;
  private Path workerLogs;

  /**
   * Starts it all and waits until every worker holds partitions.
   *
   * @param logDir where Kafka keeps its log across runs, or null for a temporary folder
   * @param settings Weft and Kafka client settings for the scheduler, the workers and clients (say linger.ms)
   * @param log where progress lines go
   */
  public OneMachine(int workerCount, int threadsPerWorker, Path logDir, Map<String, String> settings,
      PrintStream log) throws Exception {
    this.log = log;
    try {
      long start = System.nanoTime();
      EmbeddedKafka.Builder broker = EmbeddedKafka.builder().port(0);
      if (logDir != null) {
        broker.logDir(logDir);
      }
      kafka = broker.start();
      log.printf("Kafka %s broker at %s%n", EmbeddedKafka.KAFKA_VERSION, kafka.bootstrapServers());
      registry = RegistryEndpoint.configuredOrEmbedded(System.getenv(ConnectionOptions.REGISTRY_ENV),
          () -> new KafkaSchemaStore(Map.of("kafkastore.bootstrap.servers", kafka.bootstrapServers())));
      log.printf("schema registry at %s%s%n", registry.url(), registry.embedded() ? " (embedded)" : "");
      config.putAll(kafka.connection().clientProperties());
      config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
      config.putAll(settings);
      scheduler = SchedulerService.start(config);
      if (!scheduler.awaitAssignment(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the scheduler got no partitions within 60 s");
      }
      log.println("scheduler running");
      workerLogs = Files.createTempDirectory("weft-workers-");
      for (int i = 1; i <= workerCount; i++) {
        workers.add(startWorker(i, threadsPerWorker));
      }
      try (Admin admin = Admin.create(kafka.connection().clientProperties())) {
        WorkerGroup.awaitActive(admin, new WeftKafkaConfig(config).topics(), null, workerCount, Duration.ofSeconds(90));
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + "; worker logs are in " + workerLogs, e);
      }
      log.printf("%d worker processes ready (logs in %s); up in %.1f s%n", workerCount, workerLogs,
          (System.nanoTime() - start) / 1e9);
    } catch (Exception | Error e) {
      stop(false); // the worker logs stay: the error names them
      throw e;
    }
  }

  private Process startWorker(int number, int threads) throws IOException {
    List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
    String extra = System.getenv(WORKER_JAVA_OPTS);
    if (extra != null && !extra.isBlank()) {
      jvmOptions.addAll(List.of(extra.trim().split("\\s+")));
    }
    Map<String, Object> settings = new HashMap<>(config);
    settings.put(WorkerConfig.NAME, "worker-" + number);
    settings.put(WorkerConfig.THREADS, Integer.toString(threads));
    return WorkerProcesses.start(settings, jvmOptions, workerLogs.resolve("worker-" + number + ".log"));
  }

  /** The settings a client needs: Kafka and the registry. */
  public Map<String, Object> config() {
    return config;
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  @Override
  public void close() {
    stop(true);
  }

  private void stop(boolean removeLogs) {
    WorkerProcesses.stop(workers, Duration.ofSeconds(30));
    if (scheduler != null) {
      scheduler.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (!removeLogs || workerLogs == null) {
      return;
    }
    try (var files = Files.list(workerLogs)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
      Files.delete(workerLogs);
    } catch (IOException e) {
      log.println("could not remove " + workerLogs + ": " + e.getMessage());
    }
    log.println("stopped");
  }
}
