package dev.weft.benchmarks;

import dev.weft.bag.Bag;
import dev.weft.bag.ItemFunctions;
import dev.weft.broker.BrokerOptions;
import dev.weft.broker.BrokerScheduler;
import dev.weft.cluster.WeftCluster;
import dev.weft.local.Schedulers;
import dev.weft.local.process.ProcessPoolOptions;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dask's bag benchmarks on Weft's {@link Bag}: a word count over 128 MB of text and a name count over a million
 * JSON records, on every scheduler, against the same counts by plain Java on one thread (Dask's "plain Python loop")
 * and on two (about the physical limit of reading and counting on this machine).
 *
 * <p>Jobs: {@code wordcount} is {@code readText(words-*.txt).flatMap(SPLIT_WORDS).frequencies().topk(10, 1)};
 * {@code json-parse} is {@code readText(people-*.json).map(PARSE_JSON).pluck("name").frequencies()}, each line
 * parsed by the registered {@code parse-json}; {@code json-read} is {@code readJson(people-*.json).pluck("name")
 * .frequencies()}, the reader parsing as it reads. The data ({@link BagData}) is generated once into the folder and
 * reused while its parameters are the same; its files are in the page cache when timed, so the jobs measure
 * decoding, splitting, parsing and counting, not the disk.
 *
 * <p>Schedulers: {@code java} (plain Java on 1 and 2 threads, rows java-1 and java-2; and for the word count
 * java-2-bytes, counting bytes rather than strings, about the physical limit), {@code sync},
 * {@code threads} (2 threads), {@code processes} (2 worker JVMs) and {@code broker} (an embedded Kafka broker,
 * registry and scheduler in this JVM, and 2 worker JVMs of {@code broker-threads} threads each, as {@code weft up}).
 * Each runs every job once to warm up, then {@code rounds} times; the table gives medians and minima. Every answer is
 * checked against plain Java's, computed once at the start: a wrong one stops the run. Targets: the word count in
 * 0.5 s on threads, 0.8 s on processes, and on the broker within twice the processes' median.
 *
 * <p>Usage: {@code BagBenchmark [rounds] [schedulers] [folder] [broker-threads]}, defaults 3,
 * {@code java,sync,threads,processes,broker}, {@code target/bag-data} beside this jar, and 1.
 * {@code -Dweft.bench.jobs=wordcount,...} runs only those jobs (to profile one); the environment variable
 * {@code WEFT_WORKER_JAVA_OPTS} (say {@code -Xmx2g} or a flight recording) is given to the worker JVMs of both the
 * processes and the broker scheduler.
 */
public final class BagBenchmark {
  private static final String ALL = "java,sync,threads,processes,broker";
  private static final double THREADS_TARGET = 0.5;
  private static final double PROCESSES_TARGET = 0.8;

  private BagBenchmark() {}

  /** A job: what Weft computes, and what plain Java computes for the same answer (null: no plain row). */
  private record Job(String name, WeftRun weft, PlainRun plain) {}

  @FunctionalInterface
  private interface WeftRun {
    Object run(ComputeOptions options);
  }

  @FunctionalInterface
  private interface PlainRun {
    Object run(int threads) throws Exception;
  }

  @FunctionalInterface
  private interface Attempt {
    Object run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<String> schedulers = List.of((args.length > 1 ? args[1] : ALL).split(","));
    Path folder = (args.length > 2 ? Path.of(args[2]) : defaultFolder()).toAbsolutePath();
    int brokerThreads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    for (String scheduler : schedulers) {
      if (!List.of(ALL.split(",")).contains(scheduler)) {
        throw new IllegalArgumentException("unknown scheduler " + scheduler + "; known: " + ALL);
      }
    }
    System.out.println("# Bag benchmark: " + rounds + " round(s) per job and scheduler after a warm-up run; threads"
        + " 2, processes 2 worker JVMs, broker 2 worker JVMs x " + brokerThreads + " thread(s)");
    System.out.println("# " + Machine.describe() + "; collectors " + ManagementFactory.getGarbageCollectorMXBeans()
        .stream().map(GarbageCollectorMXBean::getName).toList());
    // The broker's workers take their extra JVM options from this variable (WeftCluster); the processes' do here too.
    String workerOpts = System.getenv(WeftCluster.WORKER_JAVA_OPTS);
    List<String> workerJvmOptions = workerOpts == null || workerOpts.isBlank() ? List.of()
        : List.of(workerOpts.trim().split("\\s+"));
    if (!workerJvmOptions.isEmpty()) {
      System.out.println("# worker JVM options (processes and broker): " + workerJvmOptions);
    }
    BagData.prepare(folder, System.out);
    System.out.println("# " + describe(folder));

    // The reference answers, by plain Java on one thread; its time is that of a cold JVM.
    long start = System.nanoTime();
    Map<String, Long> words = BagData.wordCounts(folder, 1);
    double wordSeconds = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    Map<String, Long> names = BagData.nameCounts(folder, 1);
    double nameSeconds = (System.nanoTime() - start) / 1e9;
    List<List<Object>> topWords = BagData.top(words, 10);
    System.out.printf(Locale.ROOT, "# reference (plain Java, 1 thread, cold JVM): word count %.2f s (%,d words, "
        + "%,d distinct), JSON names %.2f s (%,d records, %,d names)%n", wordSeconds, sum(words), words.size(),
        nameSeconds, sum(names), names.size());
    System.out.println("# top words: " + topWords);
    if (sum(names) != BagData.JSON_RECORDS) {
      throw new IllegalStateException("the JSON files hold " + sum(names) + " records, not " + BagData.JSON_RECORDS);
    }

    String wordGlob = folder.resolve(BagData.WORDS_GLOB).toString();
    String jsonGlob = folder.resolve(BagData.JSON_GLOB).toString();
    List<Job> jobs = new java.util.ArrayList<>(List.of(
        new Job("wordcount", options -> Bag.readText(wordGlob).flatMap(ItemFunctions.SPLIT_WORDS).frequencies()
            .topk(10, 1).compute(options), threads -> BagData.top(BagData.wordCounts(folder, threads), 10)),
        new Job("json-parse", options -> Bag.readText(jsonGlob).map(ItemFunctions.PARSE_JSON).pluck("name")
            .frequencies().computeMap(options), threads -> BagData.nameCounts(folder, threads)),
        new Job("json-read", options -> Bag.readJson(jsonGlob).pluck("name").frequencies().computeMap(options),
            null)));
    String only = System.getProperty("weft.bench.jobs");
    if (only != null) {
      jobs.removeIf(job -> !List.of(only.split(",")).contains(job.name()));
    }

    Map<String, Map<String, double[]>> seconds = new LinkedHashMap<>(); // job -> scheduler -> seconds per round
    for (String scheduler : schedulers) {
      switch (scheduler) {
        case "java" -> {
          for (int threads : new int[] {1, 2}) {
            measure("java-" + threads, rounds, jobs, job -> job.plain() == null ? null
                : () -> job.plain().run(threads), words, names, seconds);
          }
          measure("java-2-bytes", rounds, jobs, job -> !job.name().equals("wordcount") ? null
              : () -> BagData.top(BagData.wordCountsFromBytes(folder, 2), 10), words, names, seconds);
        }
        case "broker" -> {
          try (WeftCluster machine = WeftCluster.builder().threadsPerWorker(brokerThreads).start();
               BrokerScheduler broker = new BrokerScheduler()) {
            ComputeOptions options = ComputeOptions.scheduler(broker)
                .with(BrokerOptions.CONNECTION, machine.config());
            measure(scheduler, rounds, jobs, job -> () -> job.weft().run(options), words, names, seconds);
          }
        }
        default -> {
          ComputeOptions options = switch (scheduler) {
            case "sync" -> Schedulers.sync();
            case "threads" -> Schedulers.threads(2);
            case "processes" -> workerJvmOptions.isEmpty() ? Schedulers.processes(2)
                : Schedulers.processes(2).with(ProcessPoolOptions.JVM_OPTIONS, workerJvmOptions);
            default -> throw new IllegalArgumentException("unknown scheduler " + scheduler);
          };
          measure(scheduler, rounds, jobs, job -> () -> job.weft().run(options), words, names, seconds);
        }
      }
    }
    Weft.shutdown();
    print(seconds);
    System.out.println("# load after: " + Machine.loadAverage());
  }

  /** Runs every job once to warm up, then {@code rounds} times, checking every answer; progress on stderr. */
  private static void measure(String scheduler, int rounds, List<Job> jobs,
      java.util.function.Function<Job, Attempt> attempts, Map<String, Long> words, Map<String, Long> names,
      Map<String, Map<String, double[]>> seconds) throws Exception {
    for (int round = -1; round < rounds; round++) {
      for (Job job : jobs) {
        Attempt attempt = attempts.apply(job);
        if (attempt == null) {
          continue;
        }
        long gcBefore = gcMillis();
        long start = System.nanoTime();
        Object answer = attempt.run();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long gc = gcMillis() - gcBefore;
        String wrong = job.name().equals("wordcount") ? checkTop(answer, words) : checkCounts(answer, names);
        if (wrong != null) {
          throw new IllegalStateException(scheduler + " gave a wrong answer for " + job.name() + ": " + wrong);
        }
        System.err.printf(Locale.ROOT, "%s round %d %s: %.3f s (GC in this JVM %.3f s)%n", scheduler, round,
            job.name(), elapsed, gc / 1e3);
        if (round >= 0) {
          seconds.computeIfAbsent(job.name(), k -> new LinkedHashMap<>())
              .computeIfAbsent(scheduler, k -> new double[rounds])[round] = elapsed;
        }
      }
    }
  }

  /**
   * Why {@code answer} is not the ten most frequent words as {@code [word, count]} pairs, most frequent first, or
   * null if it is. Words of equal counts may come in any order, so the counts are compared rank by rank and each
   * word's count with its true count.
   */
  private static String checkTop(Object answer, Map<String, Long> words) {
    List<List<Object>> expected = BagData.top(words, 10);
    if (!(answer instanceof List<?> pairs) || pairs.size() != expected.size()) {
      return "expected " + expected + ", got " + answer;
    }
    for (int i = 0; i < pairs.size(); i++) {
      if (!(pairs.get(i) instanceof List<?> pair) || pair.size() != 2 || !(pair.get(1) instanceof Long count)
          || !count.equals(words.get(pair.get(0))) || !count.equals(expected.get(i).get(1))) {
        return "expected " + expected + ", got " + answer;
      }
    }
    return null;
  }

  /** Why {@code answer} is not the map of every name to its count, or null if it is. */
  private static String checkCounts(Object answer, Map<String, Long> names) {
    return names.equals(answer) ? null : "expected " + names + ", got " + answer;
  }

  private static void print(Map<String, Map<String, double[]>> seconds) {
    System.out.println();
    System.out.printf(Locale.ROOT, "%-11s %-12s %9s %9s %9s %9s %18s %9s%n", "job", "scheduler", "median s",
        "min s", "x java-1", "x java-2", "target s", "x target");
    for (Map.Entry<String, Map<String, double[]>> job : seconds.entrySet()) {
      Map<String, double[]> bySchedulers = job.getValue();
      Double java1 = median(bySchedulers.get("java-1"));
      Double java2 = median(bySchedulers.get("java-2"));
      Double processes = median(bySchedulers.get("processes"));
      for (Map.Entry<String, double[]> scheduler : bySchedulers.entrySet()) {
        Stats stats = Stats.of(scheduler.getValue());
        Double target = null;
        String targetText = "";
        if (job.getKey().equals("wordcount")) {
          switch (scheduler.getKey()) {
            case "threads" -> target = THREADS_TARGET;
            case "processes" -> target = PROCESSES_TARGET;
            case "broker" -> {
              target = processes == null ? null : 2 * processes;
              targetText = "2x processes ";
            }
            default -> { }
          }
        }
        System.out.printf(Locale.ROOT, "%-11s %-12s %9.3f %9.3f %9s %9s %18s %9s%n", job.getKey(),
            scheduler.getKey(), stats.median(), stats.min(), ratio(stats.median(), java1),
            ratio(stats.median(), java2), target == null ? "" : targetText + String.format(Locale.ROOT, "%.2f", target),
            ratio(stats.median(), target));
      }
    }
  }

  /** The time this JVM's collectors have spent, in milliseconds (pauses, and concurrent work for some). */
  private static long gcMillis() {
    long millis = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      millis += Math.max(0, collector.getCollectionTime());
    }
    return millis;
  }

  private static Double median(double[] values) {
    return values == null ? null : Stats.of(values).median();
  }

  private static String ratio(double value, Double base) {
    return base == null ? "" : String.format(Locale.ROOT, "%.2f", value / base);
  }

  private static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The files' count, size and lines. */
  private static String describe(Path folder) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String glob : List.of(BagData.WORDS_GLOB, BagData.JSON_GLOB)) {
      List<Path> files = BagData.files(folder, glob);
      long bytes = 0;
      long lines = 0;
      for (Path file : files) {
        bytes += Files.size(file);
        lines += lines(file);
      }
      text.append(text.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
          "%s: %d files, %.1f MB, %,d lines of %.1f bytes", glob, files.size(), bytes / 1e6, lines,
          (double) bytes / lines));
    }
    return text.toString();
  }

  private static long lines(Path file) throws IOException {
    long lines = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        for (int i = 0; i < read; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
      }
    }
    return lines;
  }

  /** {@code bag-data} in the folder of this class's jar (or classes folder): {@code benchmarks/target}. */
  private static Path defaultFolder() throws Exception {
    Path location = Path.of(BagBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return location.getParent().resolve("bag-data");
  }
}
