package dev.weft.stream;

import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Settings of the stream jobs a scheduler runs, beside the common keys of {@link WeftKafkaConfig}. A job's own
 * settings (batching, guarantee) are in its definition ({@link StreamJob}).
 */
public final class StreamConfig extends WeftKafkaConfig {
  public static final String ENABLED = "weft.stream.enabled";
  private static final String ENABLED_DOC = "Whether this scheduler runs stream jobs.";

  public static final String INSTANCE = "weft.stream.instance";
  private static final String INSTANCE_DOC = "Name of this instance in the jobs' status and transactional ids; "
      + "defaults to the scheduler's name, or a name of the process id and a random suffix. Two live instances must "
      + "not share a name: their transactions would fence each other.";

  public static final String TRANSACTION_TIMEOUT_MS = "weft.stream.transaction.timeout.ms";
  private static final String TRANSACTION_TIMEOUT_MS_DOC = "Kafka's transaction.timeout.ms of a job's producer: a "
      + "scheduler that dies in a transaction holds its partitions' offsets until Kafka aborts it, so this bounds "
      + "how long a successor waits.";

  public static final String STATUS_INTERVAL_MS = "weft.stream.status.interval.ms";
  private static final String STATUS_INTERVAL_MS_DOC = "How often each instance publishes a job's status (rates, "
      + "lag, latency) to the stream status topic.";

  private static final ConfigDef DEFINITION = baseDefinition()
      .define(ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, ENABLED_DOC)
      .define(INSTANCE, Type.STRING, null, Importance.LOW, INSTANCE_DOC)
      .define(TRANSACTION_TIMEOUT_MS, Type.INT, 10_000, ConfigDef.Range.atLeast(1000), Importance.LOW,
          TRANSACTION_TIMEOUT_MS_DOC)
      .define(STATUS_INTERVAL_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(10), Importance.LOW,
          STATUS_INTERVAL_MS_DOC);

  /** Tells apart the unnamed instances of one process's lifetime from those of others. */
  private static final String UNNAMED_SUFFIX = Long.toHexString(new java.security.SecureRandom().nextLong() & 0xffffffL);

  public StreamConfig(Map<String, ?> originals) {
    super(DEFINITION, originals);
  }

  /** The compacted topic of job definitions, keyed by job name. */
  public String jobsTopic() {
    return topics().prefix() + "streams";
  }

  /** The compacted topic of each instance's status of each job, keyed by {@code job/instance}. */
  public String statusTopic() {
    return topics().prefix() + "stream-status";
  }

  /** The consumer group that reads a job's inputs. */
  public String jobGroup(String job) {
    return topics().prefix() + "stream." + job;
  }

  /**
   * Creates what is missing of the jobs and status topics (compacted), and of {@code job}'s topics when it is given:
   * its inputs with {@link #GRAPH_PARTITIONS} partitions, its outputs with as many partitions as its first input, its
   * dead letters with one.
   */
  public void createStreamTopics(StreamJob job) {
    if (!getBoolean(CREATE_TOPICS)) {
      return;
    }
    short replication = getShort(REPLICATION_FACTOR);
    Map<String, String> compacted = Map.of("cleanup.policy", "compact");
    try (Admin admin = Admin.create(clientProperties())) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> wanted = new ArrayList<>();
      wanted.add(new NewTopic(jobsTopic(), 1, replication).configs(compacted));
      wanted.add(new NewTopic(statusTopic(), 1, replication).configs(compacted));
      if (job != null) {
        int partitions = getInt(GRAPH_PARTITIONS);
        for (StreamJob.Input input : job.inputs()) {
          wanted.add(new NewTopic(input.topic(), partitions, replication));
        }
        String first = job.inputs().get(0).topic();
        if (existing.contains(first)) {
          partitions = admin.describeTopics(List.of(first)).allTopicNames().get().get(first).partitions().size();
        }
        for (StreamJob.Output output : job.outputs().values()) {
          wanted.add(new NewTopic(output.topic(), partitions, replication));
        }
        wanted.add(new NewTopic(job.deadLetters(), 1, replication));
      }
      Map<String, NewTopic> missing = new LinkedHashMap<>();
      wanted.stream().filter(topic -> !existing.contains(topic.name()))
          .forEach(topic -> missing.putIfAbsent(topic.name(), topic));
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing.values()).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
        Topics.awaitReady(admin, missing.keySet(), Duration.ofSeconds(30));
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create the stream topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the stream topics", e);
    }
  }

  /** This instance's name. */
  public String instance() {
    String instance = getString(INSTANCE);
    if (instance != null) {
      return instance;
    }
    Object scheduler = originals().get("weft.scheduler.name");
    // Not the pid alone: in containers it is 1 everywhere, and instances of one name fence each other's transactions.
    return scheduler != null ? scheduler.toString()
        : "scheduler-" + ProcessHandle.current().pid() + "-" + UNNAMED_SUFFIX;
  }
}
