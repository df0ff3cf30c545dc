package dev.weft.broker;

import dev.weft.broker.internal.CommandIntake;
import dev.weft.broker.internal.SchedulerLoop;
import dev.weft.broker.protocol.KafkaClientSupplier;
import dev.weft.broker.protocol.PollLoop;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.SchedulerExtension;
import dev.weft.broker.protocol.TopicAdmin;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WireSchemas;
import dev.weft.broker.telemetry.HttpEndpoint;
import dev.weft.broker.telemetry.WeftMetrics;
import dev.weft.function.FunctionCatalog;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.Signature;
import dev.weft.function.TaskFunction;
import dev.weft.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker scheduler: reads graphs, publishes ready tasks, reads results, publishes events. Values never pass
 * through it: a ready task names where each input is (a partition and offset of the results topic), and a finished
 * graph names where each output is.
 *
 * <p>Schedulers share the work as a consumer group of the graphs topic: one owns a partition's graphs, and reads the
 * same partition of the results topic. Where a graph's results and events go follows from the partition the graph was
 * read from, which its ready tasks carry to the workers: never from a producer's partitioner, so graphs written by any
 * Kafka client (librdkafka's default partitioner is not Java's) are found. All state is the loop thread's, as in Dask's
 * local scheduler ({@link SchedulerLoop}). When a scheduler takes over a partition it rebuilds the unfinished graphs
 * from the two topics, and only then emits the tasks that still have no result; a task that was in flight may so run
 * twice, and its second result is ignored.
 *
 * <p>Rebalances and outages are routine: a commit Kafka refuses during a rebalance is made again after it, a Kafka call
 * that times out is tried again, and records from outside that cannot be read go to the dead letters (or their graph
 * is rejected). The loop stops only on what it cannot go on from (an authorization error, say); {@link #failure()}
 * says why.
 *
 * <p>Backpressure: at most {@link SchedulerServiceConfig#MAX_IN_FLIGHT_PER_POOL} tasks of a pool are emitted and not
 * finished; the rest wait here, ready, in static order.
 */
public final class SchedulerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);

  /** The reserved function of placeholder tasks that stand for results of earlier graphs. */
  public static final String INPUT_FUNCTION = CommandIntake.INPUT_FUNCTION;

  /** How long a send Kafka refused waits before it is made again. */
  private static final Duration RESEND_INTERVAL = Duration.ofSeconds(1);

  private final SchedulerLoop body;
  private final PollLoop loop;
  private final WeftMetrics metrics;
  /** Health, metrics and the extensions' pages (the dashboard); null when {@code weft.http.port} is -1. */
  private HttpEndpoint http;
  /** What the extensions found on the classpath started, closed before the loop. */
  private final List<AutoCloseable> extensions = new ArrayList<>();

  private SchedulerService(SchedulerServiceConfig config, KafkaClientSupplier clients) {
    Map<String, Object> properties = config.clientProperties();
    Topics topics = config.topics();
    config.createTopics(List.of());
    try (Admin admin = Admin.create(properties)) {
      topics.verifyCoPartitioned(admin);
    }
    RecordLimits limits = new RecordLimits(properties, config.getInt(SchedulerServiceConfig.MAX_RECORD_BYTES), topics);
    limits.read(List.of(topics.graphs(), topics.results(), topics.events(), topics.deadLetters(), topics.tasks(null)));
    FunctionRegistry functionRegistry = null;
    SchemaRegistryClient registry = null;
    WeftMetrics meters = null;
    try {
      functionRegistry = config.getBoolean(SchedulerServiceConfig.VALIDATE_FUNCTIONS) ? functionRegistry(config) : null;
      registry = config.registryClient();
      WireCodec codec = new WireCodec(registry);
      // Registered now: a scheduler that cannot reach the registry says so at its start, not in its loop.
      codec.schemaId(topics.events(), WireSchemas.Kind.GRAPH_EVENT);
      codec.schemaId(topics.tasks(null), WireSchemas.Kind.READY_TASK);
      String name = "weft-" + config.getString(SchedulerServiceConfig.NAME);
      meters = new WeftMetrics("scheduler", config.getString(SchedulerServiceConfig.NAME));
      this.metrics = meters;
      SchedulerLoop.Settings settings = new SchedulerLoop.Settings(
          config.getInt(SchedulerServiceConfig.MAX_IN_FLIGHT_PER_POOL),
          Duration.ofMillis(config.getLong(SchedulerServiceConfig.PROGRESS_INTERVAL_MS)),
          Duration.ofMillis(config.getLong(SchedulerServiceConfig.COMMIT_INTERVAL_MS)), RESEND_INTERVAL,
          config.getInt(SchedulerServiceConfig.MAX_RECORD_BYTES));
      SchemaRegistryClient openRegistry = registry;
      FunctionRegistry openFunctions = functionRegistry;
      var graphs = clients.groupConsumer(properties, topics.schedulerGroup(), name + "-graphs");
      var results = clients.plainConsumer(properties, name + "-results");
      var producer = clients.producer(properties, name);
      // Kafka's own metrics of the three clients (the graphs consumer's lag above all), unbound when metrics close.
      meters.bindKafkaClient(graphs, "graphs");
      meters.bindKafkaClient(results, "results");
      meters.bindKafkaClient(producer, "producer");
      this.body = new SchedulerLoop(graphs, results, producer, codec, topics, TopicAdmin.of(config, limits),
          functionRegistry == null ? null : catalog(functionRegistry), settings, meters.registry(),
          () -> closeQuietly(openRegistry, openFunctions));
      this.loop = new PollLoop(name, LOG, body);
    } catch (RuntimeException e) {
      closeQuietly(registry, functionRegistry);
      if (meters != null) {
        meters.close();
      }
      throw e;
    }
  }

  /** Starts a scheduler; it runs until {@link #close()}. */
  public static SchedulerService start(Map<String, ?> config) {
    return start(config, KafkaClientSupplier.DEFAULT);
  }

  /** Starts a scheduler whose Kafka clients come from {@code clients}; it runs until {@link #close()}. */
  public static SchedulerService start(Map<String, ?> config, KafkaClientSupplier clients) {
    SchedulerServiceConfig settings = new SchedulerServiceConfig(config);
    SchedulerService service = new SchedulerService(settings, clients);
    service.loop.start();
    try {
      int port = settings.getInt(SchedulerServiceConfig.HTTP_PORT);
      if (port >= 0) {
        service.http = HttpEndpoint.start(settings.getString(SchedulerServiceConfig.HTTP_HOST), port,
            settings.originals().get(SchedulerServiceConfig.HTTP_PORT) == null, service::isHealthy, service.metrics,
            service.loop.name());
        LOG.info("{} serves HTTP at {}", service.loop.name(), service.http.address());
      }
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
    SchedulerExtension.Context context = new SchedulerExtension.Context(service.http, service.metrics);
    try {
      for (SchedulerExtension extension : ServiceLoader.load(SchedulerExtension.class,
          SchedulerService.class.getClassLoader())) {
        service.extensions.add(extension.start(config, context));
        LOG.info("started {}", extension.name());
      }
    } catch (Exception | java.util.ServiceConfigurationError e) {
      service.close();
      throw new IllegalStateException("a scheduler extension did not start: " + e, e);
    }
    return service;
  }

  private static FunctionRegistry functionRegistry(SchedulerServiceConfig config) {
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(SchedulerService.class.getClassLoader());
    String plugins = config.getString(SchedulerServiceConfig.PLUGIN_DIR);
    if (plugins != null) {
      try {
        registry.loadPlugins(Path.of(plugins));
      } catch (RuntimeException e) {
        registry.close();
        throw e;
      }
    }
    return registry;
  }

  /** The registry's names and signatures, and the placeholder function; no bodies: tasks run on workers. */
  private static FunctionCatalog catalog(FunctionRegistry registry) {
    return new FunctionCatalog() {
      @Override
      public boolean contains(String name) {
        return name.equals(INPUT_FUNCTION) || registry.contains(name);
      }

      @Override
      public TaskFunction lookup(String name) {
        return null;
      }

      @Override
      public String describeModules() {
        return registry.describeModules();
      }

      @Override
      public Signature signature(String name) {
        return registry.signature(name);
      }
    };
  }

  private static void closeQuietly(SchemaRegistryClient registry, FunctionRegistry functions) {
    if (registry != null) {
      registry.close();
    }
    if (functions != null) {
      try {
        functions.close();
      } catch (RuntimeException e) {
        LOG.warn("could not close the plugin jars: {}", e.toString());
      }
    }
  }

  /** Waits until this scheduler owns partitions of the graphs topic; false if the timeout passed first. */
  public boolean awaitAssignment(Duration timeout) throws InterruptedException {
    return body.assigned().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return loop.failure();
  }

  /** Whether the loop runs: false once it stopped, by {@link #close()} or on its own ({@link #failure()}). */
  public boolean isRunning() {
    return loop.isRunning();
  }

  /**
   * Runs this scheduler until the JVM is told to stop (SIGTERM, Ctrl-C: a shutdown hook closes it gracefully) or its
   * loop stops on its own because it cannot go on; returns the error that stopped it, or null after a graceful stop.
   */
  public Throwable runUntilShutdown() throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, loop.name() + "-shutdown"));
    loop.join();
    return loop.failure();
  }

  /** Healthy: its loop runs and it owns partitions of the graphs topic (what {@code GET /health} answers). */
  public boolean isHealthy() {
    return isRunning() && body.assigned().getCount() == 0;
  }

  /**
   * Where this scheduler serves HTTP ({@code /health}, {@code /metrics} and the dashboard at {@code /} when the
   * dashboard module is on the classpath), such as {@code http://127.0.0.1:8787/}; null when it serves none.
   */
  public java.net.URI httpAddress() {
    return http == null ? null : http.address();
  }

  /** This scheduler's meters, which {@code /metrics} serves. */
  public WeftMetrics metrics() {
    return metrics;
  }

  /** Graphs this scheduler holds that have not ended, as of its loop's last turn (those it is rebuilding too). */
  public int unfinishedGraphs() {
    return body.unfinishedGraphs();
  }

  /**
   * Stops the HTTP endpoint (no request reaches an extension that stops), then the extensions, then the loop; commits
   * what it read and closes its clients.
   */
  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    synchronized (extensions) {
      for (int i = extensions.size() - 1; i >= 0; i--) {
        try {
          extensions.get(i).close();
        } catch (Exception e) {
          LOG.warn("a scheduler extension did not stop cleanly: {}", e.toString());
        }
      }
      extensions.clear();
    }
    loop.close(Duration.ofSeconds(30));
    metrics.close();
  }
}
