package dev.weft.cluster;

import dev.weft.broker.client.WeftClient;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The broker deployment on this machine in one line, as Dask's {@code Client()}:
 *
 * <pre>{@code
 * try (WeftCluster cluster = WeftCluster.local()) {
 *   WeftClient client = cluster.client();
 *   System.out.println(client.compute(graph, Duration.ofMinutes(1)));
 * }
 * }</pre>
 *
 * <p><b>What runs where.</b> In this JVM: an embedded Kafka broker (one KRaft node, its log in a temporary folder
 * unless {@link Builder#logDir} names one), an embedded schema registry that keeps its schemas in a compacted topic of
 * that broker, and a scheduler service. The workers are JVMs of their own by default ({@link Builder#workers} of them,
 * {@link Builder#threadsPerWorker} task threads each), started from this JVM's class path with {@code -Xmx512m} and the
 * options of {@value #WORKER_JAVA_OPTS} (and with the class data archive of this JVM's {@code -XX:SharedArchiveFile},
 * if it has one: they run its class path), their output in a temporary folder; with {@code processes(false)} they are
 * workers in this JVM, as Dask's {@code Client(processes=False)}. Either way the workers run the functions of the
 * {@code FunctionModule}s on the class path (and of the plugin folder {@code weft.plugin.dir}, if set), the caller's
 * own modules included; never functions registered in code with {@code FunctionRegistry.global()}, which only the local
 * schedulers see.
 *
 * <p><b>What binds where.</b> Kafka and the registry listen on 127.0.0.1, on free ports ({@link #bootstrapServers()},
 * {@link #registryUrl()}). A setting {@code bootstrap.servers} or {@code schema.registry.url} uses that Kafka or
 * registry instead of starting one. The scheduler serves its HTTP endpoint (the dashboard, {@code /health},
 * {@code /metrics}; {@link #dashboardUrl()}) on {@code weft.http.host} (127.0.0.1) and {@code weft.http.port} (8787,
 * or a free port when another process holds it; -1 serves none); the workers serve none. The start prints one line
 * per component, and the dashboard's address, to the {@link Builder#log} stream.
 *
 * <p><b>Failures.</b> A supervisor thread starts again, and says so, a worker that stops (a JVM that exits, a worker
 * whose loop stopped) and a scheduler whose loop stopped, unless one stops five times within a minute.
 *
 * <p><b>Closing.</b> {@link #close()} stops the client, the supervisor, the workers (gracefully: running tasks finish
 * and their results are written; a worker JVM still running after 30 s is killed), the scheduler, the registry, and
 * Kafka last, deleting its temporary log folder and the workers' logs. It stops only what it started: a given Kafka or
 * registry is left running. A JVM shutdown hook closes a cluster that was not closed (Ctrl-C).
 *
 * <p><b>Threads.</b> Every method may be called from any thread. {@link #client()} is one client, shared and
 * thread-safe; {@link #close()} is idempotent, and a second caller returns once the first one is done.
 */
public final class WeftCluster implements AutoCloseable {
  /** Environment variable with extra JVM options for the worker processes, such as {@code -Xmx2g}. */
  public static final String WORKER_JAVA_OPTS = "WEFT_WORKER_JAVA_OPTS";

  private final OneMachine machine;

  private WeftCluster(OneMachine machine) {
    this.machine = machine;
  }

  /**
   * Starts a cluster as {@code weft up} does: 2 worker processes of 2 threads each, the embedded Kafka and registry, a
   * line per component on {@code System.err}. Returns once every worker holds partitions of its tasks topic.
   */
  public static WeftCluster local() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A connected client, made on the first call and closed with the cluster. */
  public WeftClient client() {
    return machine.client();
  }

  /**
   * The settings a client needs ({@code WeftClient.connect(config())}, {@code BrokerOptions.CONNECTION}): Kafka, the
   * registry, and every setting given.
   */
  public Map<String, Object> config() {
    return Map.copyOf(machine.config());
  }

  /** Where Kafka clients connect ({@code host:port}), for any Kafka client. */
  public String bootstrapServers() {
    return machine.bootstrapServers();
  }

  /** The schema registry's URL, for {@code schema.registry.url}. */
  public String registryUrl() {
    return machine.registryUrl();
  }

  /**
   * Where the scheduler serves its dashboard, such as {@code http://127.0.0.1:8787/}, or null when it serves none
   * ({@code weft.http.port} -1). A scheduler the supervisor started again may serve it on another port.
   */
  public URI dashboardUrl() {
    return machine.dashboard();
  }

  /** The parts, for this package's tests. */
  OneMachine machine() {
    return machine;
  }

  /** Stops everything this cluster started, in the order its class comment says. */
  @Override
  public void close() {
    machine.close();
  }

  /** What {@link #start()} starts; the defaults are {@link #local()}'s. Not thread-safe. */
  public static final class Builder {
    private int workers = 2;
    private int threadsPerWorker = 2;
    private boolean processes = true;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Path logDir;
    private PrintStream log = System.err;

    private Builder() {}

    /**
     * How many workers (default 2). 0 starts none: a cluster whose workers the caller starts itself (with
     * {@link #config()}'s settings), as a benchmark that compares two sets of workers does.
     */
    public Builder workers(int workers) {
      if (workers < 0) {
        throw new IllegalArgumentException("workers must be 0 or more, not " + workers);
      }
      this.workers = workers;
      return this;
    }

    /** Task threads of each worker (default 2); at least 1. */
    public Builder threadsPerWorker(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads per worker must be at least 1, not " + threads);
      }
      this.threadsPerWorker = threads;
      return this;
    }

    /**
     * Whether each worker is a JVM of its own (true, the default: a task that crashes or leaks takes only its worker
     * down) or a worker in this JVM (false: quicker to start, and a debugger here stops in tasks).
     */
    public Builder processes(boolean processes) {
      this.processes = processes;
      return this;
    }

    /**
     * A Weft or Kafka client setting for the scheduler, the workers and the client ({@code linger.ms},
     * {@code weft.topic.prefix}, {@code weft.plugin.dir}, ...); {@code bootstrap.servers} and
     * {@code schema.registry.url} use that Kafka and registry instead of starting them.
     */
    public Builder setting(String key, String value) {
      settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** {@link #setting} for each entry. */
    public Builder settings(Map<String, String> settings) {
      settings.forEach(this::setting);
      return this;
    }

    /** Where the embedded Kafka keeps its log (topics, schemas) across runs; default a temporary folder. */
    public Builder logDir(Path logDir) {
      this.logDir = logDir;
      return this;
    }

    /** Where the start's lines and the supervisor's reports go; default {@code System.err}. */
    public Builder log(PrintStream log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /**
     * Starts it all and returns once every worker holds partitions.
     *
     * @throws IllegalStateException if a part does not start (what had started is stopped)
     */
    public WeftCluster start() {
      try {
        return new WeftCluster(new OneMachine(workers, threadsPerWorker, processes, logDir,
            Map.copyOf(settings), log));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the cluster started", e);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("the cluster did not start: " + e, e);
      }
    }
  }
}
