package dev.weft.benchmarks;

import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClientConfig;
import dev.weft.registry.serde.AvroDeserializer;
import dev.weft.registry.serde.AvroSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The Kafka Streams side of {@link StreamBenchmark}: input, mapValues(parse), mapValues(enrich), mapValues(pick),
 * output, with {@code processing.guarantee=exactly_once_v2}. Keys are strings; output values are written by this
 * project's {@link AvroSerializer} (Confluent's wire format), whose schema is registered under the output topic's
 * subject ({@code <topic>-value}). Each {@link #start} is a new application (a new {@code application.id}, a new
 * state folder), so it reads its input from the beginning.
 */
public final class KafkaStreamsPipeline implements Pipeline {
  private final String bootstrap;
  private final String registryUrl;
  private final int streamThreads;
  private final Integer commitIntervalMs;
  private KafkaStreams streams;
  private SchemaRegistryClient registry;
  private Path stateDir;

  /**
   * @param commitIntervalMs {@code commit.interval.ms}, or null for Kafka Streams' default (100 ms under
   *     exactly_once_v2): a transaction commits, and its outputs become visible, at most this often
   */
  public KafkaStreamsPipeline(String bootstrap, String registryUrl, int streamThreads, Integer commitIntervalMs) {
    this.bootstrap = bootstrap;
    this.registryUrl = registryUrl;
    this.streamThreads = streamThreads;
    this.commitIntervalMs = commitIntervalMs;
  }

  /** The pipeline's topology, writing its values with {@code valueSerde}. */
  public static Topology topology(String inputTopic, String outputTopic, Serde<Object> valueSerde) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(inputTopic, Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues(PipelineFunctions::parse)
        .mapValues(PipelineFunctions::enrich)
        .<Object>mapValues(PipelineFunctions::pick)
        .to(outputTopic, Produced.with(Serdes.String(), valueSerde));
    return builder.build();
  }

  @Override
  public String name() {
    return "Kafka Streams";
  }

  @Override
  public String describe() {
    return "exactly_once_v2, " + streamThreads + " stream thread" + (streamThreads == 1 ? "" : "s")
        + " in the benchmark's JVM, commit.interval.ms "
        + (commitIntervalMs == null ? "100 (the exactly_once_v2 default)" : commitIntervalMs);
  }

  @Override
  public void start(String inputTopic, String outputTopic) throws IOException {
    if (streams != null) {
      throw new IllegalStateException("already started");
    }
    Map<String, String> registryConfig = Map.of(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
    registry = RestSchemaRegistryClient.fromConfigs(registryConfig);
    // A serde passed to Produced is used as it is: Kafka Streams configures only the default serdes of its config.
    Serde<Object> avro = Serdes.serdeFrom(new AvroSerializer(registry, registryConfig, false),
        new AvroDeserializer(registry, registryConfig, false));
    stateDir = Files.createTempDirectory("bench-streams-state-");
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-streams-" + UUID.randomUUID());
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    if (commitIntervalMs != null) {
      config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    }
    streams = new KafkaStreams(topology(inputTopic, outputTopic, avro), config);
    // A failure would otherwise show only as a drain that times out.
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("Kafka Streams failed: " + e);
      e.printStackTrace();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
  }

  @Override
  public void stop() throws IOException {
    if (streams == null) {
      return;
    }
    streams.close(Duration.ofSeconds(30));
    streams = null;
    registry.close();
    try (Stream<Path> files = Files.walk(stateDir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
