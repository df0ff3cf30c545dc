package dev.weft.benchmarks;

import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.cluster.WeftCluster;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@link BrokerThroughput}'s side-by-side mode: two sets of worker JVMs, A as configured and B with some settings
 * more, each serving a pool of its own, on one broker and one scheduler; every shape runs on both in each round, back
 * to back, the order swapped every round. What differs between A and B is only the settings (the idle set polls
 * beside the busy one either way).
 */
final class WorkerComparison {
  private static final String POOL_A = "bench-a";
  private static final String POOL_B = "bench-b";

  private WorkerComparison() {}

  static void run(int rounds, int workers, int threads, Map<String, String> settings, Map<String, String> variant,
      Map<String, Graph> shapes) throws Exception {
    System.out.println("# A: workers as configured; B: workers with " + variant + "; " + workers + " worker JVMs x "
        + threads + " threads each, " + rounds + " rounds after a warm-up round");
    try (WeftCluster machine = WeftCluster.builder().workers(0).threadsPerWorker(threads).settings(settings)
        .start()) {
      Path logs = Files.createTempDirectory("weft-bench-workers-");
      List<Process> started = new ArrayList<>();
      try {
        for (int i = 1; i <= workers; i++) {
          started.add(startWorker(machine, POOL_A, "a-" + i, threads, Map.of(), logs));
          started.add(startWorker(machine, POOL_B, "b-" + i, threads, variant, logs));
        }
        try (Admin admin = Admin.create(new WeftKafkaConfig(machine.config()).clientProperties())) {
          var topics = new WeftKafkaConfig(machine.config()).topics();
          WorkerGroup.awaitActive(admin, topics, POOL_A, workers, Duration.ofSeconds(90));
          WorkerGroup.awaitActive(admin, topics, POOL_B, workers, Duration.ofSeconds(90));
        }
        System.err.println("workers of both pools ready; their logs are in " + logs);
        Map<String, double[]> secondsA = new LinkedHashMap<>();
        Map<String, double[]> secondsB = new LinkedHashMap<>();
        try (WeftClient client = WeftClient.connect(machine.config())) {
          for (int round = -1; round < rounds; round++) {
            for (Map.Entry<String, Graph> shape : shapes.entrySet()) {
              boolean aFirst = round % 2 == 0;
              for (String pool : aFirst ? List.of(POOL_A, POOL_B) : List.of(POOL_B, POOL_A)) {
                long start = System.nanoTime();
                client.compute(inPool(shape.getValue(), pool), Duration.ofMinutes(30));
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.err.printf(Locale.ROOT, "round %d %s %s: %.2f s%n", round, shape.getKey(),
                    pool.equals(POOL_A) ? "A" : "B", elapsed);
                if (round >= 0) {
                  (pool.equals(POOL_A) ? secondsA : secondsB)
                      .computeIfAbsent(shape.getKey(), k -> new double[rounds])[round] = elapsed;
                }
              }
            }
          }
        }
        System.out.printf(Locale.ROOT, "%-10s %8s %12s %12s %8s   %s%n", "shape", "tasks", "A tasks/s", "B tasks/s",
            "A / B", "A / B of each round: median (min, max)");
        for (Map.Entry<String, Graph> shape : shapes.entrySet()) {
          int tasks = shape.getValue().size();
          double[] a = secondsA.get(shape.getKey());
          double[] b = secondsB.get(shape.getKey());
          double[] paired = new double[rounds];
          for (int round = 0; round < rounds; round++) {
            paired[round] = b[round] / a[round]; // the tasks/s ratio of two runs next to each other in time
          }
          Stats pairs = Stats.of(paired);
          double aPerSecond = tasks / Stats.of(a).median();
          double bPerSecond = tasks / Stats.of(b).median();
          System.out.printf(Locale.ROOT, "%-10s %,8d %,12.0f %,12.0f %8.3f   %.3f (%.3f, %.3f)%n", shape.getKey(), tasks,
              aPerSecond, bPerSecond, aPerSecond / bPerSecond, pairs.median(), pairs.min(), pairs.max());
        }
        System.out.println("# medians of tasks/s; A / B below 1: A is slower by that fraction");
        System.out.println("# records on the workers topic (reports) after the run: " + reports(machine));
        System.out.println("# load after: " + Machine.loadAverage());
      } finally {
        WorkerProcesses.stop(started, Duration.ofSeconds(30));
      }
      try (var files = Files.list(logs)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(logs);
    }
  }

  private static Process startWorker(WeftCluster machine, String pool, String name, int threads,
      Map<String, String> more, Path logs) throws java.io.IOException {
    Map<String, Object> settings = new HashMap<>(machine.config());
    settings.put(WorkerConfig.POOL, pool);
    settings.put(WorkerConfig.NAME, name);
    settings.put(WorkerConfig.THREADS, Integer.toString(threads));
    settings.putAll(more);
    List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
    // As weft up's; %n stands for the worker's name (-XX:StartFlightRecording=filename=/tmp/%n.jfr profiles each).
    String extra = System.getenv(WeftCluster.WORKER_JAVA_OPTS);
    if (extra != null && !extra.isBlank()) {
      jvmOptions.addAll(List.of(extra.trim().replace("%n", name).split("\\s+")));
    }
    return WorkerProcesses.start(settings, jvmOptions, logs.resolve(name + ".log"));
  }

  /** How many records the workers topic holds: what the workers reported, for a check that A's did and B's not. */
  private static long reports(WeftCluster machine) throws Exception {
    String topic = new WeftKafkaConfig(machine.config()).topics().workers();
    try (Admin admin = Admin.create(new WeftKafkaConfig(machine.config()).clientProperties())) {
      var partition = new org.apache.kafka.common.TopicPartition(topic, 0);
      return admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get()
          .get(partition).offset();
    }
  }

  /** The graph with every task in {@code pool}. */
  private static Graph inPool(Graph graph, String pool) {
    List<Task> tasks = graph.tasks().stream().map(task -> task.withPool(pool)).toList();
    return Graph.of(graph.id(), tasks, graph.declaredOutputs());
  }
}
