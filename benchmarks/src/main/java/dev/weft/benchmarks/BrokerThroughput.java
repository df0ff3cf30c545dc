package dev.weft.benchmarks;

import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.KafkaClients;
import dev.weft.cluster.WeftCluster;
import dev.weft.graph.Graph;
import dev.weft.testkit.Shapes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The broker scheduler against the physical limit, in one run on one machine: an embedded Kafka broker, a schema
 * registry, one scheduler (all in this JVM) and two worker JVMs, as {@code weft up} starts them.
 *
 * <p>Each round first measures the raw limit: a producer and a consumer bouncing 200-byte records through two topics
 * of the same broker, with the same client settings Weft uses, one record in flight (the round trip) and then 1,000 in
 * flight (pipelined round trips per second). Then it runs every graph shape through the broker scheduler. Figures are
 * medians over the rounds after a warm-up round; ratios compare them with the raw medians of the same run.
 *
 * <p>Usage: {@code BrokerThroughput [rounds] [workers] [threads-per-worker] [shape,shape...]}; defaults 3, 2, 1 and
 * the shapes wide-10k, wide-100k, chain-10k and tree-65k (chain-1k and wide-20k are there to be named).
 * {@code -Dweft.bench.settings=key=value,...} passes client settings to the scheduler, the workers and the client;
 * {@code -Dweft.bench.raw=false} leaves out the raw Kafka limit (for runs of two builds that compare the shapes only).
 *
 * <p>{@code -Dweft.bench.compare=key=value,...} compares two sets of workers in one run instead: A, {@code workers}
 * worker JVMs as configured, and B, as many with these settings too, each set serving a pool of its own on the same
 * broker and scheduler. Each round runs every shape on A and on B back to back (A first in even rounds, B first in odd
 * ones), so that the machine's drift falls on both alike, and prints the medians of tasks/s and their ratio. The cost
 * of the workers' reports, for one: {@code -Dweft.bench.compare=weft.worker.report.interval.ms=0}.
 */
public final class BrokerThroughput {
  private static final String RAW_RTT = "raw round trip ms";
  private static final String RAW_PIPELINED = "raw round trips per second";

  private BrokerThroughput() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    System.out.println("# Broker scheduler: " + workers + " worker processes x " + threads + " threads, " + rounds
        + " rounds after a warm-up round");
    System.out.println("# " + Machine.describe());
    // -Dweft.bench.settings=linger.ms=1,... tries client settings without a rebuild.
    Map<String, String> settings = settings("weft.bench.settings");
    if (!settings.isEmpty()) {
      System.out.println("# settings " + settings);
    }
    Map<String, Graph> shapes = new LinkedHashMap<>();
    shapes.put("wide-10k", Shapes.wide(10_000));
    shapes.put("wide-20k", Shapes.wide(20_000));
    shapes.put("wide-100k", Shapes.wide(100_000));
    shapes.put("chain-1k", Shapes.chain(1_000));
    shapes.put("chain-10k", Shapes.chain(10_000));
    shapes.put("tree-65k", Shapes.tree(65_536));
    shapes.keySet().retainAll(args.length > 3 ? List.of(args[3].split(","))
        : List.of("wide-10k", "wide-100k", "chain-10k", "tree-65k"));
    // -Dweft.bench.raw=false leaves the raw Kafka limit out: runs of two builds to compare need only the shapes.
    boolean raw = Boolean.parseBoolean(System.getProperty("weft.bench.raw", "true"));
    Map<String, String> variant = settings("weft.bench.compare");
    if (!variant.isEmpty()) {
      WorkerComparison.run(rounds, workers, threads, settings, variant, shapes);
      return;
    }
    try (WeftCluster machine = WeftCluster.builder().workers(workers).threadsPerWorker(threads).settings(settings)
        .start()) {
      Map<String, double[]> seconds = new LinkedHashMap<>();
      try (WeftClient client = WeftClient.connect(machine.config())) {
        for (int round = -1; round < rounds; round++) {
          // The raw limit is measured in every round, beside the shapes: a broker that has just started answers
          // two or three times slower than one its JIT has warmed, and the machine's load drifts between rounds.
          if (raw) {
            double rtt = roundTripMillis(machine.config(), 200, 1_000);
            double pipelined = pipelinedRoundTrips(machine.config(), 1_000, 60_000);
            System.err.printf(Locale.ROOT, "round %d raw: %.3f ms one in flight, %,.0f per second pipelined%n", round,
                rtt, pipelined);
            if (round >= 0) {
              seconds.computeIfAbsent(RAW_RTT, k -> new double[rounds])[round] = rtt;
              seconds.computeIfAbsent(RAW_PIPELINED, k -> new double[rounds])[round] = pipelined;
            }
          }
          for (Map.Entry<String, Graph> shape : shapes.entrySet()) {
            long start = System.nanoTime();
            client.compute(shape.getValue(), Duration.ofMinutes(30));
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "round %d %s: %.2f s%n", round, shape.getKey(), elapsed);
            if (round >= 0) {
              seconds.computeIfAbsent(shape.getKey(), k -> new double[rounds])[round] = elapsed;
            }
          }
        }
      }
      double oneInFlightMs = raw ? Stats.of(seconds.get(RAW_RTT)).median() : Double.NaN;
      double pipelinedPerSecond = raw ? Stats.of(seconds.get(RAW_PIPELINED)).median() : Double.NaN;
      if (raw) {
        System.out.printf(Locale.ROOT, "raw Kafka round trip, 1 in flight:      %8.3f ms (median of rounds)%n",
            oneInFlightMs);
        System.out.printf(Locale.ROOT, "raw Kafka round trips, 1,000 in flight: %,8.0f per second (median of rounds)%n",
            pipelinedPerSecond);
        System.out.println();
      }
      System.out.printf(Locale.ROOT, "%-10s %8s %9s  %s%n", "shape", "tasks", "seconds", "figure beside the raw limit"
          + " and the target (issue 15)");
      for (Map.Entry<String, Graph> shape : shapes.entrySet()) {
        int tasks = shape.getValue().size();
        double median = Stats.of(seconds.get(shape.getKey())).median();
        System.out.printf(Locale.ROOT, "%-10s %,8d %9.2f  %s%n", shape.getKey(), tasks, median,
            figure(shape.getKey(), tasks, median, raw ? oneInFlightMs : Double.NaN,
                raw ? pipelinedPerSecond : Double.NaN));
      }
      System.out.println("# load after: " + Machine.loadAverage());
    }
  }

  /** A chain's task must take at most this many raw one-in-flight round trips (issue 15's target). */
  static final double CHAIN_TARGET_RTTS = 1.10;
  /** Every other shape must run at least this share of the raw pipelined round trips per second. */
  static final double THROUGHPUT_TARGET = 0.70;

  /**
   * One shape's figure beside the raw limit of the same run and the target: a chain's time per task against the round
   * trip with one record in flight (each step waits for the one before), every other shape's tasks per second against
   * the pipelined round trips. Without a raw figure (NaN: {@code -Dweft.bench.raw=false}) only the shape's own.
   */
  static String figure(String shape, int tasks, double seconds, double rawRoundTripMs, double rawPerSecond) {
    if (shape.startsWith("chain")) {
      double msPerTask = seconds * 1000 / tasks;
      if (Double.isNaN(rawRoundTripMs)) {
        return String.format(Locale.ROOT, "%.3f ms/task", msPerTask);
      }
      double ratio = msPerTask / rawRoundTripMs;
      return String.format(Locale.ROOT, "%.3f ms/task  %.2fx raw %.3f ms  (target <= %.2fx%s)", msPerTask, ratio,
          rawRoundTripMs, CHAIN_TARGET_RTTS, ratio <= CHAIN_TARGET_RTTS ? ", met" : ", not met");
    }
    double perSecond = tasks / seconds;
    if (Double.isNaN(rawPerSecond)) {
      return String.format(Locale.ROOT, "%,.0f tasks/s", perSecond);
    }
    double share = perSecond / rawPerSecond;
    return String.format(Locale.ROOT, "%,.0f tasks/s  %.2f of raw %,.0f/s  (target >= %.2f%s)", perSecond, share,
        rawPerSecond, THROUGHPUT_TARGET, share >= THROUGHPUT_TARGET ? ", met" : ", not met");
  }

  /** Settings given as {@code key=value,key=value} in system property {@code property}. */
  private static Map<String, String> settings(String property) {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String setting : System.getProperty(property, "").split(",")) {
      if (setting.contains("=")) {
        settings.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
      }
    }
    return settings;
  }

  /** Median round trip of one 200-byte record through two topics, one in flight. */
  static double roundTripMillis(Map<String, Object> config, int warmup, int measured) throws Exception {
    try (PingPong pingPong = new PingPong(config)) {
      double[] millis = new double[measured];
      for (int i = -warmup; i < measured; i++) {
        long start = System.nanoTime();
        pingPong.send(1);
        pingPong.await(1);
        if (i >= 0) {
          millis[i] = (System.nanoTime() - start) / 1e6;
        }
      }
      return Stats.of(millis).median();
    }
  }

  /** Round trips per second with {@code inFlight} records always on their way. */
  static double pipelinedRoundTrips(Map<String, Object> config, int inFlight, int total) throws Exception {
    try (PingPong pingPong = new PingPong(config)) {
      pingPong.send(inFlight);
      pingPong.await(inFlight); // warm-up lap
      long start = System.nanoTime();
      int sent = inFlight;
      pingPong.send(inFlight);
      long returned = 0;
      while (returned < total) {
        long back = pingPong.await(1);
        returned += back;
        int more = (int) Math.min(back, total - (sent - inFlight));
        if (more > 0) {
          pingPong.send(more);
          sent += more;
        }
      }
      return returned / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** A producer to "ping", a bouncer thread from "ping" to "pong", and a consumer of "pong". */
  private static final class PingPong implements AutoCloseable {
    private final String ping;
    private final String pong;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> returns;
    private final Thread bouncer;
    private final AtomicLong bounced = new AtomicLong();
    private volatile boolean running = true;
    private final byte[] payload = new byte[200];

    PingPong(Map<String, Object> config) throws Exception {
      String suffix = Long.toString(System.nanoTime());
      ping = "bench-ping-" + suffix;
      pong = "bench-pong-" + suffix;
      Map<String, Object> clients = new LinkedHashMap<>(config);
      clients.remove("schema.registry.url");
      try (Admin admin = Admin.create(clients)) {
        admin.createTopics(List.of(new NewTopic(ping, 1, (short) 1), new NewTopic(pong, 1, (short) 1))).all().get();
      }
      producer = KafkaClients.producer(clients, "bench-ping");
      returns = KafkaClients.plainConsumer(clients, "bench-pong");
      returns.assign(List.of(new TopicPartition(pong, 0)));
      returns.seekToBeginning(List.of(new TopicPartition(pong, 0)));
      KafkaConsumer<String, byte[]> in = KafkaClients.plainConsumer(clients, "bench-bouncer-in");
      KafkaProducer<String, byte[]> out = KafkaClients.producer(clients, "bench-bouncer-out");
      in.assign(List.of(new TopicPartition(ping, 0)));
      in.seekToBeginning(List.of(new TopicPartition(ping, 0)));
      bouncer = new Thread(() -> {
        try (in; out) {
          while (running) {
            for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(100))) {
              out.send(new ProducerRecord<>(pong, record.key(), record.value()));
              bounced.incrementAndGet();
            }
          }
        }
      }, "bench-bouncer");
      bouncer.start();
    }

    void send(int count) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(ping, "k", payload));
      }
    }

    /** Waits until at least {@code atLeast} records came back; returns how many did. */
    long await(int atLeast) {
      long back = 0;
      while (back < atLeast) {
        back += returns.poll(Duration.ofMillis(100)).count();
      }
      return back;
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      bouncer.join();
      producer.close();
      returns.close();
    }
  }
}
