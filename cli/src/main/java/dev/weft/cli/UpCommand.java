package dev.weft.cli;

import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.cluster.WeftCluster;
import dev.weft.graph.Graph;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's first command: the one-machine mode. It starts an embedded Kafka broker, a schema registry, a scheduler
 * and worker processes on 127.0.0.1, runs the demo graph through Kafka, prints its result and timing, and stops it
 * all again (or keeps it running for {@code weft submit}).
 */
@Command(name = "up", description = "Start Kafka, a schema registry, a scheduler and workers on this machine, run the "
    + "demo graph through them, and stop (or keep running).")
final class UpCommand implements Callable<Integer> {
  @Option(names = "--workers", defaultValue = "2", description = "Worker processes (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--threads", defaultValue = "2", description = "Threads per worker (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--tasks", defaultValue = "20000", description = "Squares in the demo (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--log-dir", paramLabel = "DIR",
      description = "Keep Kafka's log (topics, schemas) in DIR across runs (default: a temporary folder).")
  Path logDir;

  @Option(names = "--keep-running", description = "After the demo, keep everything running until Ctrl-C.")
  boolean keepRunning;

  @Option(names = "--in-process", description = "Run the workers in this JVM instead of JVMs of their own (the build "
      + "runs the demo so, to record the classes every part loads in its class data archive).")
  boolean inProcess;

  @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE",
      description = "A Weft or Kafka client setting for the scheduler, workers and client; repeatable.")
  Map<String, String> settings = new java.util.LinkedHashMap<>();

  @picocli.CommandLine.Mixin
  PluginOptions plugins;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || threads < 1) {
      // No worker would run the demo, which waited for one for ever.
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers and --threads must be at least"
          + " 1 (were " + workers + " and " + threads + "): the demo runs on the workers weft up starts");
    }
    plugins.applyTo(settings);
    if (!settings.containsKey(WeftKafkaConfig.SCHEMA_REGISTRY_URL) && System.getenv(ConnectionOptions.REGISTRY_ENV)
        != null) {
      // Often the registry of an earlier 'weft up' (whose advice exports it), stopped with it: not the one to use.
      System.err.printf("(%s is set, to %s; weft up starts a registry of its own: -c %s=URL uses another)%n",
          ConnectionOptions.REGISTRY_ENV, System.getenv(ConnectionOptions.REGISTRY_ENV),
          WeftKafkaConfig.SCHEMA_REGISTRY_URL);
    }
    WeftCluster machine = WeftCluster.builder().workers(workers).threadsPerWorker(threads).logDir(logDir)
        .processes(!inProcess).settings(settings).start();
    boolean correct;
    try {
      WeftClient client = machine.client();
      // A small run first: the schemas get registered and the JIT warms up, as in a service that has been running.
      client.compute(Demo.sumOfSquares(1000, 100), Duration.ofMinutes(2));
      Graph graph = Demo.sumOfSquares(tasks, 100);
      long start = System.nanoTime();
      Map<String, Object> result = client.compute(graph, Duration.ofMinutes(10));
      long nanos = System.nanoTime() - start;
      long total = ((Number) result.get("total")).longValue();
      long expected = Demo.expected(tasks);
      correct = total == expected;
      System.out.printf(Locale.ROOT, "sum of squares of 0..%d = %d (%s)%n", tasks - 1, total,
          correct ? "correct" : "WRONG, expected " + expected);
      System.out.printf(Locale.ROOT, "%,d tasks through Kafka (broker scheduler, %d %s%s) in %.2f s: "
          + "%,.0f tasks/s%n", graph.size(), workers, inProcess ? "in-process worker" : "worker process",
          workers == 1 ? "" : inProcess ? "s" : "es", nanos / 1e9,
          graph.size() / (nanos / 1e9));
    } catch (RuntimeException e) {
      machine.close();
      throw e;
    }
    if (keepRunning) {
      System.err.printf("%nrunning; in another terminal:%n%sCtrl-C stops everything%n",
          howToSubmit(machine.bootstrapServers(), machine.registryUrl(), settings));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        machine.close();
        stopped.countDown();
      }, "weft-up-shutdown"));
      stopped.await();
    } else {
      machine.close();
    }
    return correct ? 0 : 1;
  }

  /**
   * The lines that tell how to submit to what runs, as it runs: where Kafka and the registry are, and every other
   * setting given with {@code -c}, which a client needs too; the same for stream jobs, and where any Kafka client
   * (kcat) finds the broker.
   */
  static String howToSubmit(String bootstrap, String registry, Map<String, String> settings) {
    StringBuilder given = new StringBuilder();
    settings.forEach((key, value) -> {
      // The connection is exported; plugins are the scheduler's and workers', not the client's.
      if (!key.equals(WeftKafkaConfig.BOOTSTRAP_SERVERS) && !key.equals(WeftKafkaConfig.SCHEMA_REGISTRY_URL)
          && !key.equals(PluginOptions.PLUGIN_DIR)) {
        given.append(" -c ").append(key).append('=').append(value);
      }
    });
    return String.format(Locale.ROOT, "  export WEFT_KAFKA_BOOTSTRAP=%s WEFT_REGISTRY_URL=%s%n"
        + "  ./weft submit%s graph.json%n"
        + "  ./weft stream start%s job.json   (then: ./weft stream list%s)%n"
        + "  kcat -b %s -L   (any Kafka client: the topics are on this broker)%n",
        bootstrap, registry, given, given, given, bootstrap);
  }
}
