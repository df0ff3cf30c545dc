package dev.weft.benchmarks;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.cluster.WeftCluster;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.local.Schedulers;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Graphs at the sizes users reach for: a reduction tree of 1,048,575 tasks and a graph of 100,000 outputs, on every
 * scheduler, in one run. Prints each run's time and the heap the graph's run holds in this JVM: for the local
 * schedulers, their loop's state; for the broker, the scheduler's (it runs in this JVM, as {@code weft up} runs it,
 * beside the client, whose share is the graph's pending answer only: the graph itself is built before the baseline).
 * The heap figure is the heap used after a full GC while the graph runs, less the same before it was submitted.
 *
 * <p>Usage: {@code BigGraphs [rounds] [schedulers]}, defaults 1 and {@code sync,threads,processes,broker}.
 */
public final class BigGraphs {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private BigGraphs() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    List<String> schedulers = List.of((args.length > 1 ? args[1] : "sync,threads,processes,broker").split(","));
    System.out.println("# Big graphs: " + rounds + " round(s) each, after a warm-up on a small graph");
    System.out.println("# " + Machine.describe());
    Map<String, Graph> shapes = new LinkedHashMap<>();
    shapes.put("tree-1m", Shapes.tree(1 << 19));
    shapes.put("outputs-100k", outputs(100_000));
    System.out.printf(Locale.ROOT, "%-10s %-13s %10s %10s %12s %14s%n", "scheduler", "shape", "tasks", "seconds",
        "tasks/s", "run heap MB");
    for (String scheduler : schedulers) {
      if (scheduler.equals("broker")) {
        try (WeftCluster machine = WeftCluster.builder().threadsPerWorker(1).start();
             WeftClient client = WeftClient.connect(machine.config())) {
          client.compute(Shapes.wide(1_000), Duration.ofMinutes(5)); // warm-up
          for (Map.Entry<String, Graph> shape : shapes.entrySet()) {
            for (int round = 0; round < rounds; round++) {
              long before = heapAfterGc();
              long start = System.nanoTime();
              GraphFuture future = client.submit(shape.getValue());
              long held = heldWhileRunning(future::isDone, future::done, before);
              Map<String, Object> values = future.get(30, TimeUnit.MINUTES);
              print(scheduler, shape, values, start, held);
            }
          }
        }
        continue;
      }
      ComputeOptions options = switch (scheduler) {
        case "sync" -> Schedulers.sync();
        case "threads" -> Schedulers.threads(2);
        case "processes" -> Schedulers.processes(2);
        default -> throw new IllegalArgumentException("unknown scheduler " + scheduler);
      };
      Weft.compute(Shapes.wide(1_000), options); // warm-up
      for (Map.Entry<String, Graph> shape : shapes.entrySet()) {
        for (int round = 0; round < rounds; round++) {
          long before = heapAfterGc();
          long start = System.nanoTime();
          // The loop runs on this thread: its heap is sampled from another, after the first tasks ran.
          java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
          java.util.concurrent.CompletableFuture<Map<String, Object>> run =
              java.util.concurrent.CompletableFuture.supplyAsync(() -> Weft.compute(shape.getValue(),
                  options.callbacks(new dev.weft.scheduler.Callback() {
                    @Override
                    public void posttask(dev.weft.scheduler.GraphRun graph, dev.weft.scheduler.TaskEvent event) {
                      finished.incrementAndGet();
                    }
                  })));
          long held = heldWhileRunning(run::isDone, finished::get, before);
          print(scheduler, shape, run.get(30, TimeUnit.MINUTES), start, held);
        }
      }
    }
    System.out.println("# load after: " + Machine.loadAverage());
  }

  /** {@code count} tasks, each an output. */
  static Graph outputs(int count) {
    GraphBuilder graph = Graph.builder();
    for (int i = 0; i < count; i++) {
      graph.task("output-" + i, "inc", (long) i);
    }
    return graph.build();
  }

  /**
   * The heap held by a run once its first tasks are done (its state is built, few results released): heap used after a
   * full GC then, less {@code before}; -1 if the run ended first.
   */
  private static long heldWhileRunning(java.util.function.BooleanSupplier ended,
      java.util.function.IntSupplier done, long before) throws InterruptedException {
    while (!ended.getAsBoolean()) {
      if (done.getAsInt() > 0) {
        return heapAfterGc() - before;
      }
      Thread.sleep(5);
    }
    return -1;
  }

  private static long heapAfterGc() {
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static void print(String scheduler, Map.Entry<String, Graph> shape, Map<String, Object> values, long start,
      long held) {
    double seconds = (System.nanoTime() - start) / 1e9;
    int tasks = shape.getValue().size();
    long leaves = (tasks + 1) / 2;
    boolean right = shape.getKey().startsWith("tree") ? Long.valueOf(leaves * (leaves + 1) / 2).equals(
        values.get("tree")) : values.size() == tasks;
    if (!right) {
      throw new IllegalStateException(scheduler + " gave a wrong answer for " + shape.getKey());
    }
    System.out.printf(Locale.ROOT, "%-10s %-13s %,10d %10.2f %,12.0f %14s%n", scheduler, shape.getKey(), tasks,
        seconds, tasks / seconds, held < 0 ? "ended first" : String.format(Locale.ROOT, "%.0f", held / 1e6));
  }
}
