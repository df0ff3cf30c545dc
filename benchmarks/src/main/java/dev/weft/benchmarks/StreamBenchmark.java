package dev.weft.benchmarks;

import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.registry.SchemaRegistryClientConfig;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.KafkaSchemaStore;
import dev.weft.registry.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericRecord;

/**
 * A streaming pipeline (JSON text in, parse, enrich, pick, Avro out, exactly once) on each {@link Pipeline} side by
 * side, in one run, on one embedded Kafka broker and one schema registry in this JVM, measured by the same
 * {@link StreamLoad} code:
 *
 * <ul>
 *   <li>saturation: N records preloaded into a fresh input topic of {@value #PARTITIONS} partitions, then the pipeline
 *       started; the time from its start to the last output visible to a {@code read_committed} consumer gives
 *       records/s, startup included. The time to the first output is printed beside it, and the rate after it.
 *   <li>latency: the pipeline started on fresh topics and primed with {@value #PRIME_RECORDS} records, then fed at a
 *       steady rate (1,000 records/s by default) for a warm-up and the measured seconds; latency is from the input
 *       record's timestamp (its send time) to the output visible after commit, over the records sent after the
 *       warm-up.
 * </ul>
 *
 * <p>Each round measures every side in turn, in the opposite order in the next round, so that drifting machine load
 * falls on all alike; a warm-up round comes first and is not counted. Throughput figures are medians over the rounds;
 * latency percentiles are over the records of all rounds.
 *
 * <p>Usage: {@code StreamBenchmark [records] [latency-seconds] [rounds]}; defaults 200,000, 15 and 3. System
 * properties: {@code weft.bench.streamThreads} (Kafka Streams threads, 1), {@code weft.bench.commitIntervalMs}
 * (Kafka Streams' default unless set), {@code weft.bench.rate} (1,000), {@code weft.bench.warmupSeconds} (5).
 */
public final class StreamBenchmark {
  static final int PARTITIONS = 4;
  /** Outputs awaited before the paced load starts: the pipeline is running, whatever its startup took. */
  static final int PRIME_RECORDS = 100;

  private StreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int latencySeconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int streamThreads = Integer.getInteger("weft.bench.streamThreads", 1);
    Integer commitIntervalMs = Integer.getInteger("weft.bench.commitIntervalMs");
    int rate = Integer.getInteger("weft.bench.rate", 1_000);
    int warmupSeconds = Integer.getInteger("weft.bench.warmupSeconds", 5);
    String only = System.getProperty("weft.bench.only", ""); // "weft" or "streams": one side, for profiling
    System.out.printf(Locale.ROOT, "# Streaming pipeline: %,d records preloaded into %d partitions; latency at %,d"
        + " records/s for %d s after %d s of warm-up; %d rounds after a warm-up round%n", records, PARTITIONS, rate,
        latencySeconds, warmupSeconds, rounds);
    System.out.println("# " + Machine.describe());

    try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
            new KafkaSchemaStore(Map.of("kafkastore.bootstrap.servers", kafka.bootstrapServers())))) {
      System.out.println("# Kafka " + EmbeddedKafka.KAFKA_VERSION + " broker (in this JVM) at "
          + kafka.bootstrapServers() + ", schema registry at " + registry.url());
      Bench bench = new Bench(kafka.bootstrapServers(), registry.url(), records, rate, warmupSeconds,
          latencySeconds);
      List<Pipeline> sides = new ArrayList<>();
      try {
        if (!only.equals("weft")) {
          sides.add(new KafkaStreamsPipeline(kafka.bootstrapServers(), registry.url(), streamThreads,
              commitIntervalMs));
        }
        if (!only.equals("streams")) {
          sides.add(new WeftStreamPipeline(kafka.bootstrapServers(), registry.url()));
        }
        for (Pipeline side : sides) {
          System.out.println("# " + side.name() + ": " + side.describe());
        }
        for (int round = -1; round < rounds; round++) {
          List<Pipeline> order = new ArrayList<>(sides);
          if (Math.floorMod(round, 2) == 1) {
            Collections.reverse(order);
          }
          for (Pipeline side : order) {
            bench.measure(side, round);
          }
        }
      } finally {
        for (Pipeline side : sides) {
          side.close();
        }
      }
      bench.print(sides);
      System.out.println("# load after: " + Machine.loadAverage());
    }
  }

  /** One saturation run: seconds from the pipeline's start to its first and to its last visible output. */
  record Saturation(int records, double firstSeconds, double lastSeconds, int duplicates) {}

  /** The measurements, and what they are kept in until printed. */
  private static final class Bench {
    private final String bootstrap;
    private final String registryUrl;
    private final int records;
    private final int rate;
    private final int warmupSeconds;
    private final int latencySeconds;
    private final Map<Pipeline, List<Saturation>> saturations = new LinkedHashMap<>();
    private final Map<Pipeline, List<double[]>> latencies = new LinkedHashMap<>();
    private final Map<Pipeline, Integer> latencyDuplicates = new LinkedHashMap<>();
    private long topicCount;

    Bench(String bootstrap, String registryUrl, int records, int rate, int warmupSeconds,
        int latencySeconds) {
      this.bootstrap = bootstrap;
      this.registryUrl = registryUrl;
      this.records = records;
      this.rate = rate;
      this.warmupSeconds = warmupSeconds;
      this.latencySeconds = latencySeconds;
    }

    void measure(Pipeline side, int round) throws Exception {
      String label = round < 0 ? "warm-up round" : "round " + round;
      Saturation saturation = saturation(side, round < 0);
      System.err.printf(Locale.ROOT, "%s %s: %,d records in %.2f s (first output after %.2f s)%n", label,
          side.name(), saturation.records(), saturation.lastSeconds(), saturation.firstSeconds());
      double[] measured = latency(side, round);
      System.err.printf(Locale.ROOT, "%s %s: latency p50 %.0f ms, p99 %.0f ms over %,d records%n", label,
          side.name(), StreamLoad.percentile(measured, 0.50), StreamLoad.percentile(measured, 0.99),
          measured.length);
      if (round >= 0) {
        saturations.computeIfAbsent(side, s -> new ArrayList<>()).add(saturation);
        latencies.computeIfAbsent(side, s -> new ArrayList<>()).add(measured);
      }
    }

    private Saturation saturation(Pipeline side, boolean checkOutput) throws Exception {
      String[] topics = newTopics(side, "saturation");
      StreamLoad.produce(bootstrap, topics[0], records);
      // Generous: only a pipeline that stopped working takes this long.
      StreamLoad.Drain drain = StreamLoad.startDrain(bootstrap, topics[1], records,
          Duration.ofSeconds(120 + records / 500));
      long start = System.nanoTime();
      StreamLoad.Drained drained;
      side.start(topics[0], topics[1]);
      try {
        drained = drain.join();
      } finally {
        side.stop();
      }
      if (checkOutput) {
        checkOutput(side, topics[1], drained.firstValue());
      }
      return new Saturation(records, (drained.firstNanos() - start) / 1e9, (drained.lastNanos() - start) / 1e9,
          drained.count() - drained.distinctKeys());
    }

    /** Latencies in ms of the records sent after the warm-up. */
    private double[] latency(Pipeline side, int round) throws Exception {
      String[] topics = newTopics(side, "latency");
      Duration paced = Duration.ofSeconds(warmupSeconds + latencySeconds);
      int pacedRecords = (int) (paced.toSeconds() * rate);
      StreamLoad.Drain drain = StreamLoad.startDrain(bootstrap, topics[1], PRIME_RECORDS + pacedRecords,
          paced.plusMinutes(2));
      StreamLoad.Drained drained;
      long measuredFrom;
      side.start(topics[0], topics[1]);
      try {
        StreamLoad.produce(bootstrap, topics[0], PRIME_RECORDS);
        drain.awaitReceived(PRIME_RECORDS, Duration.ofMinutes(2));
        measuredFrom = System.currentTimeMillis() + warmupSeconds * 1000L;
        CompletableFuture<Long> load = StreamLoad.paced(bootstrap, topics[0], PRIME_RECORDS, rate, paced);
        load.join();
        drained = drain.join();
      } finally {
        side.stop();
      }
      if (round >= 0) {
        latencyDuplicates.merge(side, drained.count() - drained.distinctKeys(), Integer::sum);
      }
      return drained.latenciesOfInputs(measuredFrom, measuredFrom + latencySeconds * 1000L);
    }

    /** A fresh input and output topic for one measurement: every run starts from empty topics. */
    private String[] newTopics(Pipeline side, String phase) throws Exception {
      String prefix = "bench-" + side.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + "-" + phase
          + "-" + ++topicCount;
      String[] topics = {prefix + "-in", prefix + "-out"};
      StreamLoad.createTopics(bootstrap, PARTITIONS, topics);
      return topics;
    }

    /** Reads one output as the registry's Avro deserializer would: it must be a Scored record. */
    private void checkOutput(Pipeline side, String topic, byte[] value) {
      try (AvroDeserializer avro = new AvroDeserializer()) {
        avro.configure(Map.of(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl), false);
        Object record = avro.deserialize(topic, value);
        if (!(record instanceof GenericRecord scored)
            || !scored.getSchema().getFullName().equals(PipelineFunctions.SCORED.getFullName())) {
          throw new IllegalStateException(side.name() + " wrote " + record + " to " + topic + ", not a Scored record");
        }
        System.err.println(side.name() + " output, as read back: " + record);
      }
    }

    void print(List<Pipeline> sides) {
      System.out.println();
      System.out.printf(Locale.ROOT, "%-16s %9s %10s %12s %14s %16s %10s%n", "saturation", "records", "seconds",
          "records/s", "first output s", "records/s after", "duplicates");
      for (Pipeline side : sides) {
        List<Saturation> runs = saturations.get(side);
        double last = Stats.of(runs.stream().mapToDouble(Saturation::lastSeconds).toArray()).median();
        double first = Stats.of(runs.stream().mapToDouble(Saturation::firstSeconds).toArray()).median();
        double after = Stats.of(runs.stream()
            .mapToDouble(run -> run.records() / (run.lastSeconds() - run.firstSeconds())).toArray()).median();
        System.out.printf(Locale.ROOT, "%-16s %,9d %10.2f %,12.0f %14.2f %,16.0f %10d%n", side.name(), records,
            last, records / last, first, after, runs.stream().mapToInt(Saturation::duplicates).sum());
      }
      System.out.println("(medians over rounds; records/s = records / seconds from start to the last visible output;"
          + " records/s after = records / (last - first output))");
      System.out.println();
      System.out.printf(Locale.ROOT, "%-16s %9s %10s %10s %10s %10s%n", "latency @" + rate + "/s", "samples",
          "p50 ms", "p99 ms", "max ms", "duplicates");
      for (Pipeline side : sides) {
        double[] all = latencies.get(side).stream().flatMapToDouble(Arrays::stream).toArray();
        System.out.printf(Locale.ROOT, "%-16s %,9d %10.0f %10.0f %10.0f %10d%n", side.name(), all.length,
            StreamLoad.percentile(all, 0.50), StreamLoad.percentile(all, 0.99), StreamLoad.percentile(all, 1.0),
            latencyDuplicates.getOrDefault(side, 0));
      }
      System.out.println("(input record timestamp to output visible to read_committed, records of all rounds after"
          + " the warm-up)");
    }
  }
}
