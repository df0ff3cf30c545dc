package dev.weft.stream;

import dev.weft.function.FunctionCatalog;
import dev.weft.graph.GraphValidationException;
import dev.weft.stream.internal.TopicTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Starts, lists, pauses, resumes and stops stream jobs. A job's definition is a record of the compacted jobs topic
 * ({@code <prefix>streams}, keyed by job name), so every scheduler follows it and a restart loses nothing; the
 * schedulers run what it says.
 *
 * <pre>{@code
 * try (StreamJobs jobs = StreamJobs.connect(config)) {
 *   jobs.start(StreamJob.fromJson(Files.readString(Path.of("orders.json"))), FunctionRegistry.global());
 *   jobs.list().forEach(status -> System.out.println(status.job().name() + " " + status.recordsOut()));
 * }
 * }</pre>
 */
public final class StreamJobs implements AutoCloseable {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final StreamConfig config;
  private final Producer<String, byte[]> producer;

  private StreamJobs(StreamConfig config) {
    this.config = config;
    config.createStreamTopics(null);
    Map<String, Object> properties = new HashMap<>(config.clientProperties());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
  }

  /** A client of the jobs of the Weft deployment {@code config} names (the common keys of a Weft client). */
  public static StreamJobs connect(Map<String, ?> config) {
    return new StreamJobs(new StreamConfig(config));
  }

  /**
   * Checks {@code job} and starts it (or replaces the definition of a job of that name). Missing topics are created:
   * inputs with the configured graph partitions, outputs as many as the first input, the dead letters with one. A job
   * started again under the name of one stopped resumes where that one was: its consumer group kept the offsets.
   *
   * @param functions checks the template's function names (the functions the workers have); null checks only its form
   * @throws GraphValidationException naming every problem of the job and its template; nothing was started
   */
  public void start(StreamJob job, FunctionCatalog functions) {
    job.validate(functions);
    config.createStreamTopics(job);
    write(job.name(), job.toJson().getBytes(StandardCharsets.UTF_8));
  }

  /** Stops reading {@code name}'s inputs; its records wait in Kafka, as lag, until it is resumed. */
  public void pause(String name) {
    write(name, require(name).withState(JobState.PAUSED).toJson().getBytes(StandardCharsets.UTF_8));
  }

  /** Runs a paused job again, from where it was. */
  public void resume(String name) {
    write(name, require(name).withState(JobState.RUNNING).toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Removes the job's definition: schedulers stop it, after which its uncommitted batches are read again by nobody
   * until a job of that name is started again (it resumes from its group's offsets).
   */
  public void stop(String name) {
    require(name);
    write(name, null);
  }

  /** The job named {@code name}, if it is defined. */
  public Optional<StreamJob> job(String name) {
    byte[] definition = read(config.jobsTopic()).get(name);
    return definition == null ? Optional.empty()
        : Optional.of(StreamJob.fromJson(new String(definition, StandardCharsets.UTF_8)));
  }

  /** Every defined job, with what its instances reported in the last three status intervals (at least ten seconds). */
  public List<JobStatus> list() {
    long recent = System.currentTimeMillis() - Math.max(10_000, 3 * config.getLong(StreamConfig.STATUS_INTERVAL_MS));
    Map<String, List<InstanceStatus>> statuses = new HashMap<>();
    read(config.statusTopic()).values().forEach(bytes -> {
      try {
        InstanceStatus status = InstanceStatus.fromJson(new String(bytes, StandardCharsets.UTF_8));
        if (status.updatedMs() >= recent) {
          statuses.computeIfAbsent(status.job(), job -> new ArrayList<>()).add(status);
        }
      } catch (IllegalArgumentException e) {
        // not a status of this version: skipped
      }
    });
    List<JobStatus> jobs = new ArrayList<>();
    read(config.jobsTopic()).forEach((name, bytes) -> jobs.add(new JobStatus(
        StreamJob.fromJson(new String(bytes, StandardCharsets.UTF_8)), statuses.getOrDefault(name, List.of()))));
    return jobs;
  }

  private StreamJob require(String name) {
    return job(name).orElseThrow(() -> new IllegalArgumentException("there is no stream job named '" + name + "'"));
  }

  private Map<String, byte[]> read(String topic) {
    Map<String, Object> properties = new HashMap<>(config.clientProperties());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (Consumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      return TopicTable.read(consumer, topic, READ_TIMEOUT);
    }
  }

  private void write(String name, byte[] definition) {
    try {
      producer.send(new ProducerRecord<>(config.jobsTopic(), name, definition)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the definition of job '" + name + "' was not written: "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the definition of job '" + name + "'", e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
