package dev.weft.broker;

import dev.weft.broker.protocol.ServiceProcesses;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole broker deployment for a test class, on the test JVM's shared Kafka broker: an embedded schema registry, a
 * scheduler service and worker JVMs, all under a topic prefix of the class's own so that classes never see each
 * other's records.
 */
final class WeftCluster implements AutoCloseable {
  /** Names this cluster's topics, groups and logs: unique to the test that made it. */
  private final java.util.function.UnaryOperator<String> names;
  private final Map<String, Object> kafkaClients;
  private org.apache.kafka.clients.admin.Admin admin;
  private final EmbeddedSchemaRegistry registry;
  private final Map<String, Object> connection;
  private final SchedulerService scheduler;
  private final List<Process> workers = new ArrayList<>();
  private final List<Process> schedulers = new ArrayList<>();
  private final List<Map<String, Object>> workerSettings = new ArrayList<>();
  private volatile boolean closed;
  private final BrokerScheduler broker = new BrokerScheduler();
  private final Path logs;

  private WeftCluster(Map<String, Object> kafkaClients, java.util.function.UnaryOperator<String> names,
      int workerProcesses, Map<String, Object> extra, boolean inJvmScheduler) throws Exception {
    this.names = names;
    this.kafkaClients = kafkaClients;
    this.registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    this.connection = new HashMap<>(kafkaClients);
    connection.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
    connection.put(WeftKafkaConfig.TOPIC_PREFIX, names.apply("weft") + ".");
    connection.put(WeftKafkaConfig.GRAPH_PARTITIONS, "4");
    connection.put(WeftKafkaConfig.TASK_PARTITIONS, "8");
    connection.putAll(extra);
    if (inJvmScheduler) {
      this.scheduler = SchedulerService.start(connection);
      if (!scheduler.awaitAssignment(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the scheduler got no partitions within 60 s");
      }
    } else {
      this.scheduler = null;
      new WeftKafkaConfig(connection).createTopics(List.of()); // for the workers and clients that start first
    }
    this.logs = Files.createDirectories(Path.of("target", "worker-logs"));
    for (int i = 0; i < workerProcesses; i++) {
      startWorker();
    }
    awaitWorkers(workerProcesses);
  }

  static WeftCluster start(TestKafka kafka, int workerProcesses) throws Exception {
    return start(kafka, workerProcesses, Map.of());
  }

  static WeftCluster start(TestKafka kafka, int workerProcesses, Map<String, Object> extra) throws Exception {
    return new WeftCluster(kafka.clientProperties(), kafka::uniqueName, workerProcesses, extra, true);
  }

  /** A cluster whose schedulers the test starts itself, in JVMs of their own ({@link #startSchedulerProcess}). */
  static WeftCluster withoutScheduler(TestKafka kafka, int workerProcesses, Map<String, Object> extra)
      throws Exception {
    return new WeftCluster(kafka.clientProperties(), kafka::uniqueName, workerProcesses, extra, false);
  }

  /** A cluster on a broker of the test's own (one it kills and restarts, say). */
  static WeftCluster on(dev.weft.connection.KafkaConnection kafka, String name, int workerProcesses,
      Map<String, Object> extra) throws Exception {
    return new WeftCluster(kafka.clientProperties(), base -> base + "-" + name, workerProcesses, extra, true);
  }

  /** Options that select this cluster's broker scheduler. */
  ComputeOptions options() {
    return ComputeOptions.scheduler(broker).with(BrokerOptions.CONNECTION, connection);
  }

  Map<String, Object> connection() {
    return connection;
  }

  /**
   * Replaces every worker JVM that ends, as a supervisor (systemd, Kubernetes) would, until the cluster closes; returns
   * how many it replaced so far.
   */
  java.util.concurrent.atomic.AtomicInteger superviseWorkers() {
    java.util.concurrent.atomic.AtomicInteger replaced = new java.util.concurrent.atomic.AtomicInteger();
    Thread supervisor = new Thread(() -> {
      while (!closed) {
        synchronized (workers) {
          for (int i = 0; i < workers.size(); i++) {
            if (!workers.get(i).isAlive() && !closed) {
              try {
                workers.set(i, launchWorker(i));
                replaced.incrementAndGet();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "worker-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
    return replaced;
  }

  /** Starts one more worker JVM on the test's classpath (so it has the test functions). */
  Process startWorker(String... settings) throws IOException {
    Map<String, Object> worker = new HashMap<>(connection);
    worker.put(WorkerConfig.THREADS, "2");
    for (String setting : settings) {
      worker.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
    }
    synchronized (workers) {
      workerSettings.add(worker);
      Process process = launchWorker(workers.size());
      workers.add(process);
      return process;
    }
  }

  /** Starts worker {@code index} (from 0) again, with its settings, named worker-{index + 1}. */
  private Process launchWorker(int index) throws IOException {
    Map<String, Object> worker = new HashMap<>(workerSettings.get(index));
    worker.put(WorkerConfig.NAME, "worker-" + (index + 1));
    Path log = logs.resolve(names.apply("worker") + "-" + (index + 1) + "-" + System.nanoTime() + ".log");
    return WorkerProcesses.start(worker, List.of("-Xmx256m", "-XX:+UseSerialGC"), log);
  }

  /**
   * Starts a scheduler service in a JVM of its own ({@link SchedulerMain}), which a test can kill like a crashing
   * machine; it is stopped with the cluster.
   */
  Process startSchedulerProcess(String name) throws IOException {
    Map<String, Object> settings = new HashMap<>(connection);
    settings.put(SchedulerServiceConfig.NAME, name);
    Process process = ServiceProcesses.start(SchedulerMain.class, settings, List.of("-Xmx256m", "-XX:+UseSerialGC"),
        logs.resolve(names.apply(name) + ".log"));
    schedulers.add(process);
    return process;
  }

  /** The scheduler service the cluster started in this JVM (null if it started none). */
  SchedulerService scheduler() {
    return scheduler;
  }

  List<Process> workers() {
    return workers;
  }

  /** Waits until the workers' group has {@code members} members that hold partitions. */
  void awaitWorkers(int members) throws Exception {
    WorkerGroup.awaitActive(admin(), new WorkerConfig(connection).topics(), null, members, Duration.ofSeconds(90));
  }

  private synchronized org.apache.kafka.clients.admin.Admin admin() {
    if (admin == null) {
      admin = org.apache.kafka.clients.admin.Admin.create(kafkaClients);
    }
    return admin;
  }

  @Override
  public void close() {
    closed = true;
    broker.close();
    synchronized (workers) {
      WorkerProcesses.stop(workers, Duration.ofSeconds(30));
    }
    ServiceProcesses.stop(schedulers, Duration.ofSeconds(30));
    if (scheduler != null) {
      scheduler.close();
    }
    registry.close();
    if (admin != null) {
      admin.close();
    }
  }
}
