package dev.weft.stream.internal;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.ResultFetcher;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.SchedulerExtension;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.stream.Guarantee;
import dev.weft.stream.InstanceStatus;
import dev.weft.stream.JobState;
import dev.weft.stream.StreamConfig;
import dev.weft.stream.StreamJob;
import dev.weft.template.RecordTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stream jobs beside a scheduler service: follows the jobs topic and keeps a {@link JobRunner} for each
 * running job. Every instance runs every running job; the job's consumer group shares its input partitions among them,
 * so adding a scheduler adds capacity and a scheduler that dies hands its partitions to the others.
 */
public final class StreamService implements SchedulerExtension, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamService.class);
  private static final Duration RESTART_BACKOFF = Duration.ofSeconds(2);

  private StreamConfig config;
  private String instance;
  private SchemaRegistryClient registry;
  private WeftClient client;
  private Producer<byte[], byte[]> statusProducer;
  private Thread follower;
  private volatile boolean closing;
  /** Written by the follower thread only. */
  private final Map<String, Running> running = new HashMap<>();

  /** A job's runner and its thread; both null for a job whose definition is not valid. */
  private record Running(StreamJob job, JobRunner runner, Thread thread, long startedNanos) {}

  /** For {@link java.util.ServiceLoader}. */
  public StreamService() {}

  @Override
  public String name() {
    return "stream jobs";
  }

  @Override
  public AutoCloseable start(Map<String, ?> settings) {
    StreamConfig streamConfig = new StreamConfig(settings);
    if (!streamConfig.getBoolean(StreamConfig.ENABLED)) {
      return () -> { };
    }
    StreamService service = new StreamService();
    service.open(streamConfig);
    return service;
  }

  private void open(StreamConfig streamConfig) {
    this.config = streamConfig;
    this.instance = streamConfig.instance();
    streamConfig.createStreamTopics(null);
    try {
      registry = streamConfig.registryClient();
      client = WeftClient.connect(streamConfig.originals());
      Map<String, Object> producer = new HashMap<>(streamConfig.clientProperties());
      producer.put(ProducerConfig.CLIENT_ID_CONFIG, "weft-stream-status-" + instance);
      statusProducer = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    follower = new Thread(this::follow, "weft-stream-jobs-" + instance);
    follower.setDaemon(true);
    follower.start();
  }

  /** Reads the jobs topic from its beginning, forever, and keeps the runners as its latest records say. */
  private void follow() {
    Map<String, Object> properties = new HashMap<>(config.clientProperties());
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "weft-stream-jobs-" + instance);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, byte[]> definitions = new LinkedHashMap<>();
    try (Consumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(config.jobsTopic(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      // Nothing runs before the topic is read to where it ended at the start: an old record of a job stopped since
      // would run it until the record that stopped it is read.
      Long end = null;
      while (!closing) {
        try {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            TopicTable.apply(definitions, record);
          }
          if (end == null) {
            end = consumer.endOffsets(List.of(partition)).get(partition);
          }
          if (consumer.position(partition) >= end) {
            reconcile(definitions);
          }
        } catch (org.apache.kafka.common.errors.RetriableException e) {
          LOG.debug("the jobs topic cannot be read now: {}", e.toString());
        }
      }
    } catch (RuntimeException e) {
      if (!closing) {
        LOG.error("stream jobs stopped on this scheduler: {}", e.toString(), e);
      }
    } finally {
      running.values().stream().filter(job -> job.runner() != null).forEach(job -> job.runner().stop());
      running.values().stream().filter(job -> job.thread() != null).forEach(job -> join(job.thread()));
      running.clear();
    }
  }

  private void reconcile(Map<String, byte[]> definitions) {
    Map<String, StreamJob> wanted = new HashMap<>();
    definitions.forEach((name, bytes) -> {
      try {
        StreamJob job = StreamJob.fromJson(new String(bytes, StandardCharsets.UTF_8));
        if (job.state() == JobState.RUNNING) {
          wanted.put(name, job);
        }
      } catch (RuntimeException e) {
        LOG.warn("the definition of stream job '{}' cannot be read, so it does not run: {}", name, e.toString());
      }
    });
    long now = System.nanoTime();
    for (String name : List.copyOf(running.keySet())) {
      Running job = running.get(name);
      boolean changed = !job.job().equals(wanted.get(name));
      // A runner that died is started again, but not at once: what killed it (Kafka away, say) may not have passed.
      boolean died = job.thread() != null && !job.thread().isAlive()
          && now - job.startedNanos() >= RESTART_BACKOFF.toNanos();
      if (changed || died) {
        if (job.runner() != null) {
          job.runner().stop();
          join(job.thread());
        }
        running.remove(name);
      }
    }
    wanted.forEach((name, job) -> {
      if (!running.containsKey(name)) {
        startRunner(job);
      }
    });
  }

  private void startRunner(StreamJob job) {
    RecordTemplate template;
    JobMetrics metrics = new JobMetrics(job.name(), instance, config.statusTopic(), statusProducer,
        config.getLong(StreamConfig.STATUS_INTERVAL_MS));
    try {
      template = job.validate(null);
    } catch (GraphValidationException e) {
      LOG.error("stream job '{}' is not valid, so it does not run: {}", job.name(), e.getMessage());
      metrics.failed(e);
      metrics.publish(new InstanceStatus(job.name(), instance, List.of(), 0, 0, 0, 0, 0, 0, Map.of(), 0, 0,
          System.currentTimeMillis(), e.getMessage()));
      running.put(job.name(), new Running(job, null, null, System.nanoTime())); // until its definition changes
      return;
    }
    JobRunner runner = new JobRunner(job, template, config, new RecordCodecs(registry), clients(job), metrics);
    Thread thread = new Thread(runner, "weft-stream-" + job.name());
    thread.setDaemon(true);
    running.put(job.name(), new Running(job, runner, thread, System.nanoTime()));
    thread.start();
    LOG.info("stream job '{}' runs on {}", job.name(), instance);
  }

  private JobRunner.JobClients clients(StreamJob job) {
    boolean transactional = job.guarantee() == Guarantee.EXACTLY_ONCE;
    return new JobRunner.JobClients() {
      @Override
      public Consumer<byte[], byte[]> consumer() {
        // As Weft's other groups (KafkaClients.groupConsumer): the classic protocol, since the runner pauses
        // partitions; a dead instance's partitions move after 10 s, not Kafka's 45.
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CLASSIC.name());
        properties.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        properties.putAll(config.clientProperties());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.jobGroup(job.name()));
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "weft-stream-" + job.name() + "-" + instance);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, job.maxBatchRecords() * 2);
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      }

      @Override
      public Producer<byte[], byte[]> producer() {
        Map<String, Object> properties = new HashMap<>(config.clientProperties());
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "weft-stream-" + job.name() + "-" + instance);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        if (transactional) {
          properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.jobGroup(job.name()) + "." + instance);
          properties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
              config.getInt(StreamConfig.TRANSACTION_TIMEOUT_MS));
        }
        Producer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
            new ByteArraySerializer());
        if (transactional) {
          try {
            producer.initTransactions();
          } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
          }
        }
        return producer;
      }

      @Override
      public JobRunner.BatchGraphs graphs() {
        return new ClientGraphs(client, new ResultFetcher(config.clientProperties(), config.topics().results(),
            new WireCodec(registry), "weft-stream-" + job.name() + "-answers-" + instance));
      }

      @Override
      public JobRunner.TopicLimits limits() {
        // Asks Kafka (an Admin) the first time a topic is named, and again a while after it could not say.
        RecordLimits limits = new RecordLimits(config.clientProperties(), config.getInt(StreamConfig.MAX_RECORD_BYTES),
            config.topics());
        return new JobRunner.TopicLimits() {
          @Override
          public int of(String topic) {
            return limits.of(topic);
          }

          @Override
          public String describe(String topic) {
            return limits.describe(topic);
          }
        };
      }
    };
  }

  /**
   * Batches run through the scheduler's broker client, which only locates their answers; a runner reads those of all
   * its finished batches in one fetch of the results topic.
   */
  private record ClientGraphs(WeftClient client, ResultFetcher results) implements JobRunner.BatchGraphs {
    @Override
    public JobRunner.Submitted submit(Graph graph) {
      GraphFuture future = client.submit(graph, SubmitOptions.defaults().readOutputs(false));
      // The locations complete with the graph's failure (TaskFailedException) or its cancellation, as the graph does.
      CompletableFuture<ResultRef> answer = future.locationsFuture()
          .thenApply(locations -> locations.get(JobRunner.BATCH_TASK));
      return new JobRunner.Submitted() {
        @Override
        public CompletableFuture<ResultRef> answer() {
          return answer;
        }

        @Override
        public void cancel() {
          future.cancel(false);
        }
      };
    }

    @Override
    public Map<ResultRef, Object> read(Collection<ResultRef> where) {
      Map<ResultRef, Object> answers = new HashMap<>();
      for (Map.Entry<ResultRef, TaskResult> result : results.fetch(where, JobRunner.ANSWER_TIMEOUT).entrySet()) {
        answers.put(result.getKey(), result.getValue().value());
      }
      return answers;
    }

    @Override
    public void close() {
      results.close();
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the runners (their uncommitted batches are read again by whoever runs the job next) and the clients. */
  @Override
  public void close() {
    closing = true;
    if (follower != null) {
      join(follower);
    }
    if (client != null) {
      client.close();
    }
    if (statusProducer != null) {
      statusProducer.close(Duration.ofSeconds(5));
    }
    if (registry != null) {
      registry.close();
    }
  }
}
