package dev.weft.cluster;

import dev.weft.broker.SchedulerService;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.registry.embedded.KafkaSchemaStore;
import dev.weft.registry.embedded.RegistryEndpoint;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * The machinery of {@link WeftCluster}: starts the embedded Kafka broker, the registry, the scheduler and the workers
 * in that order (worker JVMs boot while the scheduler starts), supervises them, and stops them in the reverse order.
 * {@link WeftCluster}'s Javadoc is the contract; this class is how it is kept.
 *
 * <p>A supervisor watches what it started: a worker that stops (a JVM that exits, or an in-process worker whose loop
 * stopped), or a scheduler whose loop stops, is reported and started again, unless it keeps stopping
 * ({@link #MAX_RESTARTS} times within a minute), which is reported too.
 */
final class OneMachine implements AutoCloseable {
  /** Restarts of one component within a minute after which the supervisor gives up on it. */
  static final int MAX_RESTARTS = 5;

  private final PrintStream log;
  private final Map<String, Object> config = new HashMap<>();
  private final int threadsPerWorker;
  private final boolean processes;
  /** Worker JVMs (processes) or workers in this JVM; by number - 1. Guarded by itself. */
  private final List<Process> workerProcesses = new ArrayList<>();
  private final List<Worker> inProcessWorkers = new ArrayList<>();
  // Set one by one as they start; a start that fails stops what had started.
  private EmbeddedKafka kafka;
  private RegistryEndpoint registry;
  private volatile SchedulerService scheduler;
  private Path workerLogs;
  private Thread supervisor;
  private WeftClient client; // guarded by this
  private volatile boolean closing;
  private boolean stopped; // guarded by this
  private final Thread exitHook = new Thread(this::close, "weft-cluster-shutdown");
  /** Components the supervisor gave up on; its thread only. */
  private final Set<String> givenUp = new HashSet<>();

  /**
   * Starts it all and waits until every worker holds partitions.
   *
   * @param processes whether the workers are JVMs of their own (else workers in this JVM)
   * @param logDir where Kafka keeps its log across runs, or null for a temporary folder
   * @param settings Weft and Kafka client settings for the scheduler, the workers and clients (say linger.ms)
   * @param log where progress lines go
   */
  OneMachine(int workerCount, int threadsPerWorker, boolean processes, Path logDir, Map<String, String> settings,
      PrintStream log) throws Exception {
    this.log = log;
    this.threadsPerWorker = threadsPerWorker;
    this.processes = processes;
    Runtime.getRuntime().addShutdownHook(exitHook);
    boolean logsNamed = false;
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
      // Only the setting, never $WEFT_REGISTRY_URL: that names the registry of a deployment for submit, scheduler and
      // worker, often one that an earlier cluster started and stopped with it.
      registry = RegistryEndpoint.configuredOrEmbedded(settings.get(WeftKafkaConfig.SCHEMA_REGISTRY_URL),
          () -> new KafkaSchemaStore(Map.of("kafkastore.bootstrap.servers", kafkaAt)));
      log.printf("schema registry at %s%s%n", registry.url(), registry.embedded() ? " (embedded)" : " (given)");
      config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
      config.putAll(settings);
      if (processes) {
        // Before the scheduler: a worker JVM takes seconds to boot, which the scheduler's start now overlaps. Whichever
        // of them is first creates Weft's topics; the worker waits for them as for a busy broker.
        workerLogs = Files.createTempDirectory("weft-workers-");
        for (int i = 1; i <= workerCount; i++) {
          workerProcesses.add(startWorkerProcess(i));
        }
      }
      scheduler = startScheduler();
      log.println("scheduler running");
      if (scheduler.httpAddress() != null) {
        log.printf("dashboard at %s%n", scheduler.httpAddress());
      }
      for (int i = 1; i <= workerCount && !processes; i++) {
        inProcessWorkers.add(startInProcessWorker(i));
      }
      try (Admin admin = Admin.create(new WeftKafkaConfig(config).clientProperties())) {
        WorkerGroup.awaitActive(admin, new WeftKafkaConfig(config).topics(), null, workerCount, Duration.ofSeconds(90));
      } catch (IllegalStateException e) {
        logsNamed = processes;
        throw new IllegalStateException(e.getMessage() + (processes ? "; worker logs are in " + workerLogs : ""), e);
      }
      if (processes) {
        log.printf("%d worker processes ready (logs in %s); up in %.1f s%n", workerCount, workerLogs,
            (System.nanoTime() - start) / 1e9);
      } else {
        log.printf("%d in-process worker%s ready (%d thread%s each); up in %.1f s%n", workerCount,
            workerCount == 1 ? "" : "s", threadsPerWorker, threadsPerWorker == 1 ? "" : "s",
            (System.nanoTime() - start) / 1e9);
      }
      supervisor = new Thread(this::supervise, "weft-cluster-supervisor");
      supervisor.setDaemon(true);
      supervisor.start();
    } catch (Exception | Error e) {
      stop(!logsNamed); // the worker logs stay when the error names them (workers that never became ready)
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

  private Map<String, Object> workerSettings(int number) {
    Map<String, Object> settings = new HashMap<>(config);
    // The HTTP settings are the scheduler's (its dashboard): workers on one machine would all bind that one port.
    settings.remove(WeftKafkaConfig.HTTP_HOST);
    settings.remove(WeftKafkaConfig.HTTP_PORT);
    settings.put(WorkerConfig.NAME, "worker-" + number);
    settings.put(WorkerConfig.THREADS, Integer.toString(threadsPerWorker));
    return settings;
  }

  private Process startWorkerProcess(int number) throws IOException {
    List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
    // The archive of this JVM's class path, which the worker's JVM runs too: it boots without parsing most classes.
    jvmOptions.addAll(SharedArchive.jvmOptions(SharedArchive.ofThisJvm()));
    String extra = System.getenv(WeftCluster.WORKER_JAVA_OPTS);
    if (extra != null && !extra.isBlank()) {
      jvmOptions.addAll(List.of(extra.trim().split("\\s+")));
    }
    return WorkerProcesses.start(workerSettings(number), jvmOptions, workerLog(number));
  }

  private Worker startInProcessWorker(int number) {
    return Worker.start(workerSettings(number));
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
            current.close(); // what its loop's end did not stop: its HTTP endpoint, its extensions
            scheduler = startScheduler();
            if (scheduler.httpAddress() != null && !scheduler.httpAddress().equals(current.httpAddress())) {
              log.printf("dashboard at %s%n", scheduler.httpAddress());
            }
          }
        }
        synchronized (workerProcesses) {
          for (int i = 0; i < workerProcesses.size() && !closing; i++) {
            Process worker = workerProcesses.get(i);
            if (!worker.isAlive()) {
              String name = "worker-" + (i + 1);
              if (mayRestart(restarts, name, " (exit code " + worker.exitValue() + "; its log: " + workerLog(i + 1)
                  + ")")) {
                log.printf("%s stopped with exit code %d (its log: %s); starting it again%n", name,
                    worker.exitValue(), workerLog(i + 1));
                workerProcesses.set(i, startWorkerProcess(i + 1));
              }
            }
          }
        }
        synchronized (inProcessWorkers) {
          for (int i = 0; i < inProcessWorkers.size() && !closing; i++) {
            Worker worker = inProcessWorkers.get(i);
            if (!worker.isRunning()) {
              String name = "worker-" + (i + 1);
              if (mayRestart(restarts, name, " (" + worker.failure() + ")")) {
                log.printf("%s stopped (%s); starting it again%n", name, worker.failure());
                inProcessWorkers.set(i, startInProcessWorker(i + 1));
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

  /** The one client, made on the first call; stopped first (by {@link #close()} or the exit hook). */
  synchronized WeftClient client() {
    if (stopped) {
      throw new IllegalStateException("the cluster is closed");
    }
    if (client == null) {
      client = WeftClient.connect(config);
    }
    return client;
  }

  /** The settings a client needs: Kafka, the registry, and every setting given. */
  Map<String, Object> config() {
    return config;
  }

  String bootstrapServers() {
    return String.valueOf(config.get(WeftKafkaConfig.BOOTSTRAP_SERVERS));
  }

  String registryUrl() {
    return registry.url();
  }

  /** Where the scheduler serves its dashboard now (a scheduler started again may serve it elsewhere), or null. */
  URI dashboard() {
    return scheduler.httpAddress();
  }

  boolean processes() {
    return processes;
  }

  /** The worker processes as they are now (the supervisor replaces those that stop); empty for in-process workers. */
  List<Process> workerProcesses() {
    synchronized (workerProcesses) {
      return List.copyOf(workerProcesses);
    }
  }

  /** The workers in this JVM as they are now (the supervisor replaces those that stop); empty for processes. */
  List<Worker> inProcessWorkers() {
    synchronized (inProcessWorkers) {
      return List.copyOf(inProcessWorkers);
    }
  }

  SchedulerService scheduler() {
    return scheduler;
  }

  @Override
  public void close() {
    stop(true);
  }

  /**
   * Stops everything in order: the client, the supervisor, the workers, the scheduler, the registry, and Kafka last, so that no
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
    if (client != null) {
      client.close();
    }
    if (supervisor != null) {
      supervisor.interrupt();
      try {
        supervisor.join(TimeUnit.SECONDS.toMillis(70));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (workerProcesses) {
      WorkerProcesses.stop(workerProcesses, Duration.ofSeconds(30));
      // Those it had to kill may not be gone yet: none may outlive close().
      for (Process worker : workerProcesses) {
        try {
          worker.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    synchronized (inProcessWorkers) {
      // Each lets its running tasks finish and leaves the group, as a worker JVM does on SIGTERM.
      inProcessWorkers.forEach(Worker::close);
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
    if (removeLogs && workerLogs != null) {
      try (var files = Files.list(workerLogs)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
        Files.delete(workerLogs);
      } catch (IOException e) {
        log.println("could not remove " + workerLogs + ": " + e.getMessage());
      }
    }
    if (removeLogs) {
      log.println("stopped");
    }
  }
}
