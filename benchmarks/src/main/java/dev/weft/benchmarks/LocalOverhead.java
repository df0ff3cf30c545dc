package dev.weft.benchmarks;

import dev.weft.graph.Graph;
import dev.weft.local.Schedulers;
import dev.weft.local.process.ProcessPoolOptions;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-task overhead of the local schedulers: the wall time of {@code Weft.compute} (compile, validate, order, run) on
 * graphs of trivial tasks, divided by the number of tasks. Every round runs every (scheduler, shape) pair once, in
 * turn, so that the machine's noise falls on all of them alike; the figures are medians over the rounds after warm-up.
 *
 * <p>Then, per shape, the heap that the scheduler holds per task, measured after forced collections at the start of
 * the run and half-way through (live results included), and the peak heap of a run as the JVM's pools report it.
 *
 * <p>Each figure of the processes scheduler is printed beside its target (issue 15): per-task overhead no slower than
 * before locality (at most 12 us), fanout-large at most 0.1 s. {@code -Dweft.bench.locality=compare} runs
 * fanout-large on the processes scheduler both with locality (results over {@code processes.keep.bytes} stay in
 * their worker) and without ({@code processes.keep.bytes=-1}, every value travels, as before), alternating, in one run.
 *
 * <p>Usage: {@code LocalOverhead [rounds] [warmup]}; defaults 15 and 5.
 */
public final class LocalOverhead {
  private LocalOverhead() {}

  record Shape(String name, Graph graph) {}

  record Config(String name, ComputeOptions options) {}

  /** Issue 15's bound on the processes scheduler's per-task overhead: no slower than before locality (7-12 us then). */
  static final double PROCESSES_US_TARGET = 12;
  /** Issue 15's bound on fanout-large with the processes scheduler, in seconds (Dask distributed: 0.08 s). */
  static final double FANOUT_LARGE_TARGET_S = 0.1;

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Shape> shapes = shapes();
    List<Config> configs = List.of(new Config("sync", Schedulers.sync()), new Config("threads-2",
        Schedulers.threads(2)), new Config("processes-2", Schedulers.processes(2)));
    System.out.println("# Local schedulers: per-task overhead, " + rounds + " rounds after " + warmup + " warm-up");
    System.out.println("# " + Machine.describe());
    Map<String, double[]> samples = measure(shapes, configs, rounds, warmup);
    System.out.println();
    System.out.printf(Locale.ROOT, "%-12s %-10s %s%n", "scheduler", "shape", "us per task (median over rounds)");
    for (Config config : configs) {
      for (Shape shape : shapes) {
        System.out.printf(Locale.ROOT, "%-12s %-10s %s%s%n", config.name, shape.name,
            Stats.of(samples.get(config.name + "/" + shape.name)).format("us"),
            config.name.startsWith("processes") ? String.format(Locale.ROOT, "   (target: no slower than before, "
                + "7-%.0f us)", PROCESSES_US_TARGET) : "");
      }
    }
    System.out.println();
    System.out.println("fanout-large: 8 tasks of 16 MB bytes, each read by 8 'length' tasks, then a sum");
    Graph fanout = Shapes.fanoutLarge(8, 8, 16 << 20);
    List<Config> fanoutConfigs = new ArrayList<>(configs);
    if ("compare".equals(System.getProperty("weft.bench.locality"))) {
      fanoutConfigs.add(new Config("processes-2 keep=-1",
          Schedulers.processes(2).with(ProcessPoolOptions.KEEP_BYTES, -1)));
    }
    int fanoutRounds = Math.max(3, rounds / 2);
    Map<String, double[]> fanoutSeconds = new LinkedHashMap<>();
    // Rounds alternate between the configurations, so that the machine's noise falls on all of them alike.
    for (int round = -2; round < fanoutRounds; round++) {
      for (Config config : fanoutConfigs) {
        long start = System.nanoTime();
        Weft.compute(fanout, config.options);
        if (round >= 0) {
          fanoutSeconds.computeIfAbsent(config.name, k -> new double[fanoutRounds])[round] =
              (System.nanoTime() - start) / 1e9;
        }
      }
    }
    for (Config config : fanoutConfigs) {
      System.out.printf(Locale.ROOT, "fanout-large %-20s %s%s%n", config.name,
          Stats.of(fanoutSeconds.get(config.name)).format("s"),
          config.name.equals("processes-2") ? String.format(Locale.ROOT, "   (target <= %.1f s)",
              FANOUT_LARGE_TARGET_S) : "");
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "%-12s %-10s %16s %16s %16s%n", "scheduler", "shape", "state B/task",
        "mid-run B/task", "peak B/task");
    for (Config config : configs) {
      if (config.name.startsWith("processes")) {
        continue; // the caller's side of the processes scheduler is the same loop; its workers hold no graph state
      }
      for (Shape shape : shapes) {
        Memory memory = memory(shape.graph, config.options);
        System.out.printf(Locale.ROOT, "%-12s %-10s %16.1f %16.1f %16.1f%n", config.name, shape.name,
            memory.atStart / shape.graph.size(), memory.midRun / shape.graph.size(),
            memory.peak / shape.graph.size());
      }
    }
    System.out.println("# load after: " + Machine.loadAverage());
    Weft.shutdown();
  }

  static List<Shape> shapes() {
    return List.of(new Shape("wide-10k", Shapes.wide(10_000)), new Shape("wide-100k", Shapes.wide(100_000)),
        new Shape("chain-10k", Shapes.chain(10_000)), new Shape("tree-65k", Shapes.tree(65_536)));
  }

  static Map<String, double[]> measure(List<Shape> shapes, List<Config> configs, int rounds, int warmup) {
    Map<String, double[]> samples = new LinkedHashMap<>();
    for (int round = -warmup; round < rounds; round++) {
      for (Config config : configs) {
        for (Shape shape : shapes) {
          long start = System.nanoTime();
          Weft.compute(shape.graph, config.options);
          double microsPerTask = (System.nanoTime() - start) / 1e3 / shape.graph.size();
          if (round >= 0) {
            samples.computeIfAbsent(config.name + "/" + shape.name, k -> new double[rounds])[round] = microsPerTask;
          }
        }
      }
    }
    return samples;
  }

  record Memory(double atStart, double midRun, double peak) {}

  /** Heap the compute holds beyond the graph itself, in bytes. */
  static Memory memory(Graph graph, ComputeOptions options) {
    long baseline = usedAfterGc();
    long[] held = new long[2];
    int half = graph.size() / 2;
    Callback probe = new Callback() {
      private int finished;

      @Override
      public void start(GraphRun run) {
        held[0] = usedAfterGc() - baseline;
      }

      @Override
      public void posttask(GraphRun run, TaskEvent event) {
        if (++finished == half) {
          held[1] = usedAfterGc() - baseline;
        }
      }
    };
    Weft.compute(graph, options.callbacks(probe));

    List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool);
      }
    }
    long before = usedAfterGc();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    Weft.compute(graph, options);
    long peak = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      peak += pool.getPeakUsage().getUsed();
    }
    return new Memory(held[0], held[1], Math.max(0, peak - before));
  }

  static long usedAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
