package dev.weft.benchmarks;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.cluster.WeftCluster;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.codec.GraphCodec;
import dev.weft.local.Schedulers;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import dev.weft.worker.WorkerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.JMException;
import javax.management.ObjectName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graphs at the sizes users reach for: a reduction tree of 1,048,575 tasks, a wide graph of 1,000,001 tasks (a million
 * {@code inc} and their {@code sum}) and a graph of 100,000 outputs, on every scheduler, in one run. Prints each run's
 * time and the heap the graph's run holds in this JVM, per task beside its target: for the local schedulers, their
 * loop's state; for the broker, the scheduler's. The broker's scheduler runs in this JVM (as {@code weft up} runs it,
 * beside the embedded Kafka broker and registry), its workers in JVMs of their own, and the client in another JVM
 * ({@link Submitter}), so that neither the graph the client built nor its encoding counts. The heap figure is the heap
 * used after a full GC once the run's first task is done, less the same before it was submitted.
 *
 * <p>Usage: {@code BigGraphs [rounds] [schedulers] [shapes]}, defaults 1, {@code sync,threads,processes,broker} and
 * {@code tree-1m,wide-1m,outputs-100k}. Run it with {@code -Xmx2g} to see the broker scheduler run the million-task
 * graphs in a small heap (the figures say which heap this JVM had).
 */
public final class BigGraphs {
  /** The bound on the heap a running graph holds in the broker scheduler, per task. */
  static final long TARGET_BYTES_PER_TASK = 1024;
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private BigGraphs() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    List<String> schedulers = List.of((args.length > 1 ? args[1] : "sync,threads,processes,broker").split(","));
    List<String> shapeNames = List.of((args.length > 2 ? args[2] : "tree-1m,wide-1m,outputs-100k").split(","));
    System.out.println("# Big graphs: " + rounds + " round(s) each, after a warm-up on a small graph");
    System.out.println("# " + Machine.describe());
    System.out.println("# this JVM's heap: " + heapSetting());
    System.out.printf(Locale.ROOT, "%-10s %-13s %10s %10s %12s %12s %10s%n", "scheduler", "shape", "tasks", "seconds",
        "tasks/s", "run heap MB", "B/task");
    List<String> perTask = new ArrayList<>();
    for (String scheduler : schedulers) {
      if (scheduler.equals("broker")) {
        try (WeftCluster machine = WeftCluster.builder().threadsPerWorker(1).start()) {
          System.out.println("# broker workers: 2 JVMs, 1 thread each, " + workerHeap() + ", result cache bound "
              + new WorkerConfig(machine.config()).getLong(WorkerConfig.CACHE_BYTES) / (1 << 20)
              + " MiB each (weft.worker.cache.bytes, by encoded size)");
          runSubmitter(machine, "wide-1000", null); // warm-up
          // The graphs are built by the client only: one built here would be in this JVM's heap through the run.
          for (String shape : shapeNames) {
            for (int round = 0; round < rounds; round++) {
              long before = heapAfterGc();
              long[] held = {-1};
              Submitted run = runSubmitter(machine, shape, () -> {
                held[0] = heapAfterGc() - before;
                printHistogram(shape);
              });
              double seconds = run.seconds();
              int tasks = run.tasks();
              print(scheduler, shape, tasks, seconds, held[0]);
              perTask.add(String.format(Locale.ROOT, "broker %s: %s (target <= %d B), %.1f s, heap %s", shape,
                  held[0] < 0 ? "ended first" : held[0] / tasks + " B/task", TARGET_BYTES_PER_TASK, seconds,
                  heapSetting()));
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
      for (String name : shapeNames) {
        Map.Entry<String, Graph> shape = Map.entry(name, shape(name));
        for (int round = 0; round < rounds; round++) {
          long before = heapAfterGc();
          long start = System.nanoTime();
          // The loop runs on this thread: its heap is sampled from another, after the first tasks ran.
          AtomicInteger finished = new AtomicInteger();
          CompletableFuture<Map<String, Object>> run = CompletableFuture.supplyAsync(() -> Weft.compute(
              shape.getValue(), options.callbacks(new Callback() {
                @Override
                public void posttask(GraphRun graph, TaskEvent event) {
                  finished.incrementAndGet();
                }
              })));
          long held = heldWhileRunning(run::isDone, finished::get, before);
          Map<String, Object> values = run.get(30, TimeUnit.MINUTES);
          double seconds = (System.nanoTime() - start) / 1e9;
          check(scheduler, shape.getKey(), shape.getValue().size(), values);
          print(scheduler, shape.getKey(), shape.getValue().size(), seconds, held);
        }
      }
    }
    perTask.forEach(line -> System.out.println("# " + line));
    System.out.println("# load after: " + Machine.loadAverage());
  }

  static Graph shape(String name) {
    return switch (name) {
      case "tree-1m" -> Shapes.tree(1 << 19);
      case "wide-1m" -> Shapes.wide(1_000_000);
      case "outputs-100k" -> outputs(100_000);
      default -> {
        if (name.startsWith("wide-")) {
          yield Shapes.wide(Integer.parseInt(name.substring("wide-".length())));
        }
        throw new IllegalArgumentException("unknown shape " + name);
      }
    };
  }

  /** A broker run as its client saw it: the graph's tasks, and seconds from before it was submitted to the answer. */
  private record Submitted(int tasks, double seconds) {}

  /**
   * Runs {@code shape} from a client JVM of its own; {@code running} is called once the client saw its first task done.
   */
  private static Submitted runSubmitter(WeftCluster machine, String shape, Runnable running) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Submitter.class.getName(), shape));
    machine.config().forEach((key, value) -> command.add(key + "=" + value));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Submitted submitted = null;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.equals(Submitter.RUNNING)) {
          if (running != null) {
            running.run();
          }
          process.getOutputStream().write('\n'); // the client may go on
          process.getOutputStream().flush();
        } else if (line.startsWith(Submitter.DONE)) {
          String[] figures = line.substring(Submitter.DONE.length()).split(" ");
          submitted = new Submitted(Integer.parseInt(figures[0]), Double.parseDouble(figures[1]));
        } else {
          System.out.println(line);
        }
      }
    }
    if (process.waitFor() != 0 || submitted == null) {
      throw new IllegalStateException("the client of " + shape + " failed (exit " + process.exitValue() + ")");
    }
    return submitted;
  }

  /**
   * The client of a broker run, in a JVM of its own: builds the shape, submits it, says {@link #RUNNING} once a task is
   * done, and {@link #DONE} with the graph's tasks and the seconds once the answer is there and right.
   *
   * <p>Arguments: the shape, then the client's settings as {@code key=value}.
   */
  public static final class Submitter {
    static final String RUNNING = "running";
    static final String DONE = "done ";

    private Submitter() {}

    public static void main(String[] args) throws Exception {
      Graph graph = shape(args[0]);
      // One record carries a graph (no chunking): its size against the graphs topic's limit says how big a graph goes.
      System.out.printf(Locale.ROOT, "# %s: the graph is %,d bytes encoded (one record of the graphs topic; "
          + "weft.max.record.bytes defaults to %,d)%n", args[0], new GraphCodec().encode(graph).length, 64 << 20);
      Map<String, Object> config = new HashMap<>();
      for (int i = 1; i < args.length; i++) {
        int equals = args[i].indexOf('=');
        config.put(args[i].substring(0, equals), args[i].substring(equals + 1));
      }
      try (WeftClient client = WeftClient.connect(config)) {
        long start = System.nanoTime();
        GraphFuture future = client.submit(graph);
        while (!future.isDone() && future.done() == 0) {
          Thread.sleep(5);
        }
        System.out.println(RUNNING);
        System.out.flush();
        System.in.read(); // while the scheduler's heap is measured, this client's events wait
        Map<String, Object> values = future.get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        check("broker", args[0], graph.size(), values);
        System.out.println(DONE + graph.size() + " " + seconds);
      }
    }
  }

  /**
   * With {@code -Dweft.bench.histogram=N}, the N classes that take most of this JVM's heap (what {@code jcmd
   * GC.class_histogram} prints): which objects a running graph holds.
   */
  private static void printHistogram(String shape) {
    int lines = Integer.getInteger("weft.bench.histogram", 0);
    if (lines <= 0) {
      return;
    }
    try {
      String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      System.out.println("# heap of the scheduler's JVM while " + shape + " runs, by class:");
      histogram.lines().limit(lines + 3L).forEach(line -> System.out.println("#   " + line));
    } catch (JMException e) {
      throw new IllegalStateException("no class histogram: " + e, e);
    }
  }

  /** What this JVM was given: its -Xmx, or the JVM's default, with the size it came to. */
  static String heapSetting() {
    String given = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(arg -> arg.startsWith("-Xmx") || arg.startsWith("-XX:MaxRAMPercentage")).reduce((a, b) -> b)
        .orElse("JVM default");
    return String.format(Locale.ROOT, "max %,d MB (%s)", Runtime.getRuntime().maxMemory() >> 20, given);
  }

  private static String workerHeap() {
    String extra = System.getenv(WeftCluster.WORKER_JAVA_OPTS);
    return "-Xmx512m" + (extra == null ? "" : " " + extra);
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

  private static void check(String scheduler, String shape, int tasks, Map<String, Object> values) {
    long leaves = (tasks + 1) / 2;
    boolean right = shape.startsWith("tree") ? Long.valueOf(leaves * (leaves + 1) / 2).equals(values.get("tree"))
        : shape.startsWith("wide") ? Long.valueOf(Shapes.wideResult(tasks - 1)).equals(values.get("sum"))
        : values.size() == tasks;
    if (!right) {
      throw new IllegalStateException(scheduler + " gave a wrong answer for " + shape);
    }
  }

  private static void print(String scheduler, String shape, int tasks, double seconds, long held) {
    System.out.printf(Locale.ROOT, "%-10s %-13s %,10d %10.2f %,12.0f %12s %10s%n", scheduler, shape, tasks, seconds,
        tasks / seconds, held < 0 ? "ended first" : String.format(Locale.ROOT, "%.0f", held / 1e6),
        held < 0 ? "" : Long.toString(held / tasks));
  }
}
