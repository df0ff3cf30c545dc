package dev.weft.broker.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The names of Weft's topics, all under one prefix ({@code weft.} by default), and their creation.
 *
 * <p>The graphs, results and events topics have the same number of partitions and are all keyed by graph id, so a
 * graph's submission, its results and its events land in partitions of the same number: the scheduler that owns a
 * graph's partition of the graphs topic reads the same partition of the results topic. Each worker pool has a tasks
 * topic of its own.
 */
public final class Topics {
  public static final String DEFAULT_PREFIX = "weft.";
  public static final String DEFAULT_POOL = "default";

  private final String prefix;
  private final Map<String, String> taskTopics = new java.util.concurrent.ConcurrentHashMap<>();

  public Topics(String prefix) {
    if (prefix == null || !prefix.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("topic prefix '" + prefix + "' may hold only letters, digits, '.', '_', '-'");
    }
    this.prefix = prefix;
  }

  public static Topics withDefaultPrefix() {
    return new Topics(DEFAULT_PREFIX);
  }

  public String prefix() {
    return prefix;
  }

  /** Graph submissions and cancellations, keyed by graph id. */
  public String graphs() {
    return prefix + "graphs";
  }

  /** Task results, keyed by graph id; workers and clients read values from it by offset. */
  public String results() {
    return prefix + "results";
  }

  /** What happened to graphs, keyed by graph id. */
  public String events() {
    return prefix + "events";
  }

  /** Records that could not be decoded, with the reason in headers. */
  public String deadLetters() {
    return prefix + "dead-letters";
  }

  /**
   * Workers' reports of themselves and of the tasks they ran ({@link WorkerReport}), keyed by worker name: telemetry
   * for the dashboard, kept an hour.
   */
  public String workers() {
    return prefix + "workers";
  }

  /** How long the workers topic keeps reports: long enough for a dashboard started late to show the last minutes. */
  static final Duration WORKER_REPORTS_RETENTION = Duration.ofHours(1);

  /** The pool a task names: {@code null} or empty is the default pool. */
  public static String poolName(String pool) {
    return pool == null || pool.isEmpty() ? DEFAULT_POOL : pool;
  }

  /** Ready tasks of a worker pool; {@code null} is the default pool. */
  public String tasks(String pool) {
    String name = poolName(pool);
    String topic = taskTopics.get(name);
    if (topic == null) {
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("worker pool '" + name + "' may hold only letters, digits, '.', '_', '-'");
      }
      topic = prefix + "tasks." + name;
      taskTopics.put(name, topic);
    }
    return topic;
  }

  /** The consumer group of the schedulers. */
  public String schedulerGroup() {
    return prefix + "schedulers";
  }

  /** The consumer group of a pool's workers. */
  public String workerGroup(String pool) {
    return tasks(pool) + ".workers";
  }

  /**
   * Checks that the graphs, results and events topics have the same number of partitions: a scheduler reads the results
   * and publishes the events of the graphs in the partition of the same number, and a graph whose results land elsewhere
   * would never finish.
   *
   * @throws IllegalStateException naming the counts if they differ
   */
  public void verifyCoPartitioned(Admin admin) {
    try {
      Map<String, Integer> counts = new java.util.LinkedHashMap<>();
      admin.describeTopics(List.of(graphs(), results(), events())).allTopicNames().get()
          .forEach((name, description) -> counts.put(name, description.partitions().size()));
      if (counts.values().stream().distinct().count() != 1) {
        throw new IllegalStateException("Weft's graphs, results and events topics must have the same number of "
            + "partitions, but have " + counts);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe Weft's topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing Weft's topics", e);
    }
  }

  /**
   * Creates the topics that do not exist yet.
   *
   * @param graphPartitions partitions of the graphs, results and events topics (equal, for co-partitioning)
   * @param taskPartitions partitions of each tasks topic: the most workers a pool can use at once
   * @param maxRecordBytes the largest record the topics accept (Kafka's default is 1 MB); events are bounded well
   *     below it by design, but an events topic that took less than the others would only surprise an operator
   */
  public void create(Admin admin, int graphPartitions, int taskPartitions, short replication, int maxRecordBytes,
      Collection<String> pools) {
    Map<String, String> large = Map.of("max.message.bytes", Integer.toString(maxRecordBytes));
    List<NewTopic> wanted = new ArrayList<>();
    wanted.add(new NewTopic(graphs(), graphPartitions, replication).configs(large));
    wanted.add(new NewTopic(results(), graphPartitions, replication).configs(large));
    wanted.add(new NewTopic(events(), graphPartitions, replication).configs(large));
    wanted.add(new NewTopic(deadLetters(), 1, replication).configs(large));
    wanted.add(new NewTopic(workers(), 1, replication).configs(Map.of(
        "max.message.bytes", Integer.toString(maxRecordBytes),
        "retention.ms", Long.toString(WORKER_REPORTS_RETENTION.toMillis()))));
    Set<String> allPools = new java.util.LinkedHashSet<>(pools);
    allPools.add(DEFAULT_POOL);
    for (String pool : allPools) {
      wanted.add(new NewTopic(tasks(pool), taskPartitions, replication).configs(large));
    }
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = wanted.stream().filter(topic -> !existing.contains(topic.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RetriableException) {
        throw (RetriableException) e.getCause(); // Kafka is away or busy: the caller may try again
      }
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create Weft's topics: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Weft's topics", e);
    }
    awaitReady(admin, wanted.stream().map(NewTopic::name).toList(), READY_TIMEOUT);
  }

  /** How long topics may take to be served after they were created. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Waits until every partition of {@code names} has a leader that serves it: the brokers' metadata names one, and it
   * answers for the partition. A topic whose creation has returned is not yet served everywhere: describing or writing
   * it at once can fail with "this server does not host this topic-partition".
   *
   * @throws org.apache.kafka.common.errors.TimeoutException naming the topics that are not ready within
   *     {@code timeout}: a retriable error, since Kafka may only be slow
   */
  public static void awaitReady(Admin admin, Collection<String> names, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String waitingFor;
    while (true) {
      try {
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        List<String> leaderless = described.values().stream()
            .filter(topic -> topic.partitions().stream().anyMatch(partition -> partition.leader() == null))
            .map(TopicDescription::name).toList();
        if (leaderless.isEmpty()) {
          // The metadata names a leader before that broker serves the partition. A producer's first write to it is
          // then refused, and an idempotent producer whose later writes went through refuses the retried one as out
          // of order until its delivery timeout (KAFKA-15591): records a moment late, or never written. Only the
          // leader answers ListOffsets, so an answer for every partition means each is served.
          Map<TopicPartition, OffsetSpec> partitions = new java.util.HashMap<>();
          described.values().forEach(topic -> topic.partitions().forEach(partition -> partitions.put(
              new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest())));
          admin.listOffsets(partitions).all().get();
          return;
        }
        waitingFor = "partitions of " + leaderless + " have no leader";
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw new IllegalStateException("cannot describe topics " + names + ": " + e.getCause().getMessage(),
              e.getCause());
        }
        waitingFor = e.getCause().getMessage(); // not known everywhere yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topics " + names, e);
      }
      if (System.nanoTime() > deadline) {
        throw new org.apache.kafka.common.errors.TimeoutException("topics " + names + " are not ready "
            + timeout.toSeconds() + " s after they were created: " + waitingFor);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topics " + names, e);
      }
    }
  }
}
