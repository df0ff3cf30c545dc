package dev.weft.benchmarks;

/**
 * One side of {@link StreamBenchmark}: something that runs the pipeline of {@link PipelineFunctions} (parse, enrich,
 * pick) from an input topic of JSON text to an output topic of {@link PipelineFunctions#SCORED} records in Confluent's
 * Avro wire format, exactly once, giving each output its input record's timestamp (latency is measured from it).
 *
 * <p>One instance serves every round: {@link #start} and {@link #stop} run one measurement on fresh topics, so that a
 * side with a deployment of its own (the Weft side's scheduler and worker JVMs) starts it once, in its constructor, and
 * ends it in {@link #close}.
 */
public interface Pipeline extends AutoCloseable {
  /** The name in the printed table. */
  String name();

  /** Its settings, printed with the figures: threads, processes, commit interval. */
  String describe();

  /**
   * Starts processing {@code inputTopic} from its beginning into {@code outputTopic} (both exist, with the same
   * partitions), and returns without waiting for output: the time to the first output is part of what is measured.
   */
  void start(String inputTopic, String outputTopic) throws Exception;

  /** Stops what {@link #start} started; another start may follow. */
  void stop() throws Exception;

  /** Ends what the constructor started, after the last {@link #stop}. */
  @Override
  default void close() throws Exception {}
}
