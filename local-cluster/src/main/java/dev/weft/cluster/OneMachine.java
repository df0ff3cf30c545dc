package dev.weft.cluster;

import dev.weft.broker.SchedulerService;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.connection.WeftConnection;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * The whole broker deployment on this machine: an embedded Kafka broker, a schema registry (embedded, on a compacted
 * topic of that broker), a scheduler service in this JVM, and worker JVMs. Everything listens on 127.0.0.1. Settings
 * given to it reach every component: {@code bootstrap.servers} names a Kafka to use instead of starting one,
 * {@code schema.registry.url} a registry. Closing stops it all, workers first,
 * gracefully.
 *
 * <p>A supervisor watches what it started: a worker that exits, or a scheduler whose loop stops, is reported and
 * started again, unless it keeps stopping ({@link #MAX_RESTARTS} times within a minute), which is reported too.
 */
public final class OneMachine implements AutoCloseable {
  /** Environment variable with extra JVM options for the worker processes, such as {@code -Xmx2g}. */
  public static final String WORKER_JAVA_OPTS = "WEFT_WORKER_JAVA_OPTS";
  /** Restarts of one component within a minute after which the supervisor gives up on it. */
  static final int MAX_RESTARTS = 5;

  private final PrintStream log;
  private final Map<String, Object> config = new HashMap<>();
  private final int threadsPerWorker;
  private final List<Process> workers = new ArrayList<>();
  // Set one by one as they start; a start that fails stops what had started.
  private EmbeddedKafka kafka;
  private RegistryEndpoint registry;
  private volatile SchedulerService scheduler;
  private Path workerLogs;
  private Thread supervisor;
  private volatile boolean closing;
  private boolean stopped; // guarded by this
  private final Thread exitHook = new Thread(this::close, "weft-one-machine-shutdown");
  /** Components the supervisor gave up on; its thread only. */
  private final java.util.Set<String> givenUp = new java.util.HashSet<>();

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
    this.threadsPerWorker = threadsPerWorker;
    Runtime.getRuntime().addShutdownHook(exitHook);
    try {
      long start = System.nanoTime();
      String bootstrap = settings.get(WeftKafkaConfig.BOOTSTRAP_SERVERS);
      if (bootstrap == null) {
        // Closed by this machine's own hook, after the scheduler, workers and registry that use it.
        EmbeddedKafka.Builder broker = EmbeddedKafka.builder().port(0).closeOnExit(false);
        if (logDir != null) {
          broker.logDir(logDir);
        }
        kafka = broker.start();
        bootstrap = kafka.bootstrapServers();
        config.putAll(kafka.connection().clientProperties());
        log.printf("Kafka %s broker at %s%n", EmbeddedKafka.KAFKA_VERSION, bootstrap);
      } else {
        log.printf("Kafka at %s (given)%n", bootstrap);
      }
      String kafkaAt = bootstrap;
      // Not $WEFT_REGISTRY_URL: it names the registry of a deployment for submit, scheduler and worker, and often
      // one that an earlier 'weft up' started and stopped with it (its own advice says to export it).
      String registryUrl = settings.get(WeftKafkaConfig.SCHEMA_REGISTRY_URL);
      if (registryUrl == null && System.getenv(WeftConnection.REGISTRY_ENV) != null) {
        log.printf("(%s is set, to %s; weft up starts a registry of its own: -c %s=URL uses another)%n",
            WeftConnection.REGISTRY_ENV, System.getenv(WeftConnection.REGISTRY_ENV),
            WeftKafkaConfig.SCHEMA_REGISTRY_URL);
      }
      registry = RegistryEndpoint.configuredOrEmbedded(registryUrl,
          () -> new KafkaSchemaStore(Map.of("kafkastore.bootstrap.servers", kafkaAt)));
      log.printf("schema registry at %s%s%n", registry.url(), registry.embedded() ? " (embedded)" : " (given)");
      config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
      config.putAll(settings);
      scheduler = startScheduler();
      log.println("scheduler running");
      workerLogs = Files.createTempDirectory("weft-workers-");
      for (int i = 1; i <= workerCount; i++) {
        workers.add(startWorker(i));
      }
      try (Admin admin = Admin.create(new WeftKafkaConfig(config).clientProperties())) {
        WorkerGroup.awaitActive(admin, new WeftKafkaConfig(config).topics(), null, workerCount, Duration.ofSeconds(90));
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + "; worker logs are in " + workerLogs, e);
      }
      log.printf("%d worker processes ready (logs in %s); up in %.1f s%n", workerCount, workerLogs,
          (System.nanoTime() - start) / 1e9);
      supervisor = new Thread(this::supervise, "weft-up-supervisor");
      supervisor.setDaemon(true);
      supervisor.start();
    } catch (Exception | Error e) {
      stop(false); // the worker logs stay: the error names them
      throw e;
    }
  }

  private SchedulerService startScheduler() throws InterruptedException {
    SchedulerService started = SchedulerService.start(config);
    try {
      if (!started.awaitAssignment(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the scheduler got no partitions within 60 s");
      }
    } catch (InterruptedException | RuntimeException e) {
      started.close();
      throw e;
    }
    return started;
  }

  private Process startWorker(int number) throws IOException {
    List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
    String extra = System.getenv(WORKER_JAVA_OPTS);
    if (extra != null && !extra.isBlank()) {
      jvmOptions.addAll(List.of(extra.trim().split("\\s+")));
    }
    Map<String, Object> settings = new HashMap<>(config);
    settings.put(WorkerConfig.NAME, "worker-" + number);
    settings.put(WorkerConfig.THREADS, Integer.toString(threadsPerWorker));
    return WorkerProcesses.start(settings, jvmOptions, workerLog(number));
  }

  private Path workerLog(int number) {
    return workerLogs.resolve("worker-" + number + ".log");
  }

  /**
   * Every second: starts again what stopped, saying what and why. A worker's new JVM appends to the same log, so that
   * the log tells what happened to it.
   */
  private void supervise() {
    Map<String, Deque<Long>> restarts = new HashMap<>();
    while (!closing) {
      try {
        TimeUnit.SECONDS.sleep(1);
        SchedulerService current = scheduler;
        if (!closing && !current.isRunning()) {
          if (mayRestart(restarts, "the scheduler", "")) {
            log.printf("the scheduler stopped (%s); starting it again%n", current.failure());
            scheduler = startScheduler();
          }
        }
        synchronized (workers) {
          for (int i = 0; i < workers.size() && !closing; i++) {
            Process worker = workers.get(i);
            if (!worker.isAlive()) {
              String name = "worker-" + (i + 1);
              if (mayRestart(restarts, name, " (exit code " + worker.exitValue() + "; its log: " + workerLog(i + 1)
                  + ")")) {
                log.printf("%s stopped with exit code %d (its log: %s); starting it again%n", name,
                    worker.exitValue(), workerLog(i + 1));
                workers.set(i, startWorker(i + 1));
              }
            }
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        log.printf("the supervisor could not start a component again: %s%n", e);
      }
    }
  }

  /**
   * Whether {@code what} may be started again: not once it stopped {@link #MAX_RESTARTS} times within a minute; the
   * supervisor then gives up on it for good, and says so once.
   */
  private boolean mayRestart(Map<String, Deque<Long>> restarts, String what, String detail) {
    if (givenUp.contains(what)) {
      return false;
    }
    Deque<Long> times = restarts.computeIfAbsent(what, w -> new ArrayDeque<>());
    long now = System.nanoTime();
    while (!times.isEmpty() && now - times.peekFirst() > TimeUnit.MINUTES.toNanos(1)) {
      times.removeFirst();
    }
    if (times.size() == MAX_RESTARTS) {
      givenUp.add(what);
      log.printf("%s keeps stopping (%d times within a minute)%s; not starting it again%n", what, MAX_RESTARTS,
          detail);
      return false;
    }
    times.addLast(now);
    return true;
  }

  /** The settings a client needs: Kafka, the registry, and every setting given. */
  public Map<String, Object> config() {
    return config;
  }

  public String bootstrapServers() {
    return String.valueOf(config.get(WeftKafkaConfig.BOOTSTRAP_SERVERS));
  }

  public String registryUrl() {
    return registry.url();
  }

  /** The worker processes as they are now (the supervisor replaces those that stop). */
  public List<Process> workers() {
    synchronized (workers) {
      return List.copyOf(workers);
    }
  }

  public SchedulerService scheduler() {
    return scheduler;
  }

  @Override
  public void close() {
    stop(true);
  }

  /**
   * Stops everything in order: the supervisor, the workers, the scheduler, the registry, and Kafka last, so that no
   * client waits for a broker that is gone (Ctrl-C took half a minute when Kafka's own hook closed it first). Once;
   * a second caller (a hook while the owner closes it) waits until it is done.
   */
  private synchronized void stop(boolean removeLogs) {
    if (stopped) {
      return;
    }
    stopped = true;
    if (Thread.currentThread() != exitHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(exitHook);
      } catch (IllegalStateException exiting) {
        // the JVM exits: the hook runs, waits for this stop, and finds it done
      }
    }
    closing = true;
    if (supervisor != null) {
      supervisor.interrupt();
      try {
        supervisor.join(TimeUnit.SECONDS.toMillis(70));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (workers) {
      WorkerProcesses.stop(workers, Duration.ofSeconds(30));
    }
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
