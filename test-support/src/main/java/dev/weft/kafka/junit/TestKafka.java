package dev.weft.kafka.junit;

import dev.weft.connection.KafkaConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker of one test, as {@link KafkaExtension} injects it: how to connect, and names that no other test
 * uses, so that tests sharing the broker never see each other's records.
 *
 * <p>A {@code TestKafka} injected into a test method or its {@code @BeforeEach} and {@code @AfterEach} methods belongs
 * to that test; one injected into {@code @BeforeAll} or a constructor belongs to the class. When its test ends, the
 * topics it created are deleted and its admin client is closed. Thread-safe.
 */
public final class TestKafka {
  private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);

  /** Kafka's limit on topic names. */
  private static final int MAX_NAME_LENGTH = 249;

  private static final Pattern LEGAL_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** How long an admin call of this class may take: long enough for a busy CI machine, short enough to fail. */
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaTarget target;
  private final KafkaConnection connection;
  private final String scope;
  private final Set<String> createdTopics = ConcurrentHashMap.newKeySet();
  private Admin admin;

  /**
   * @param scope what the names say they belong to, such as {@code OrdersTest-shipsOrders}; a random suffix makes
   *     them unique
   */
  TestKafka(KafkaTarget target, KafkaConnection connection, String scope) {
    this.target = target;
    this.connection = connection;
    String random = UUID.randomUUID().toString().substring(0, 8);
    this.scope = scope.replaceAll("[^A-Za-z0-9-]+", "-") + "-" + random;
  }

  /** The broker this test runs against: {@link KafkaTarget#EMBEDDED}, {@code TESTCONTAINERS} or {@code EXTERNAL}. */
  public KafkaTarget target() {
    return target;
  }

  /** How to reach the broker, for code under test that takes a {@link KafkaConnection}. */
  public KafkaConnection connection() {
    return connection;
  }

  /** The bootstrap servers, {@code host:port[,host:port...]}. */
  public String bootstrapServers() {
    return connection.bootstrapServers();
  }

  /** Settings every client needs, {@code bootstrap.servers} and any security settings. Unmodifiable. */
  public Map<String, Object> clientProperties() {
    return connection.clientProperties();
  }

  /** {@link #clientProperties()} plus {@code extra}, {@code extra} winning: a new map for one client. */
  public Map<String, Object> clientProperties(Map<String, ?> extra) {
    return connection.clientProperties(extra);
  }

  /**
   * A name for something of this test: the same for the same {@code base} within the test, different in any other
   * test and any other run. For group ids, transactional ids and topics alike.
   *
   * @param base letters, digits, {@code .}, {@code _} or {@code -}; it starts the name, for the reader of logs
   * @throws IllegalArgumentException if {@code base} is empty or has other characters
   */
  public String uniqueName(String base) {
    if (base == null || !LEGAL_NAME.matcher(base).matches()) {
      throw new IllegalArgumentException("name base '" + base + "' must be letters, digits, '.', '_' or '-', as in"
          + " Kafka topic names");
    }
    String name = base + "-" + scope;
    // Cut from the middle: the base says what it is, the random end makes it unique.
    return name.length() <= MAX_NAME_LENGTH ? name : name.substring(0, MAX_NAME_LENGTH - 9) + name.substring(
        name.length() - 9);
  }

  /** A topic name of this test ({@link #uniqueName(String)}); the topic is created when a client first uses it. */
  public String topic(String base) {
    return uniqueName(base);
  }

  /**
   * Creates a topic of this test with {@code partitions} partitions and the broker's default replication, returning
   * its name. It is deleted when the test ends.
   *
   * @throws IllegalStateException if the broker refuses, or this test created the topic already
   */
  public String createTopic(String base, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a topic needs at least one partition, not " + partitions);
    }
    String name = topic(base);
    if (!createdTopics.add(name)) {
      throw new IllegalStateException("topic " + name + " was created by this test already");
    }
    NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
    await(admin().createTopics(List.of(topic)).all(), "create topic " + name);
    awaitServed(name);
    return name;
  }

  /**
   * Waits until every partition of a topic just created has a leader: until then, describing or writing it can fail
   * with "this server does not host this topic-partition".
   */
  private void awaitServed(String name) {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description = admin().describeTopics(List.of(name)).allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
        if (description.partitions().stream().allMatch(partition -> partition.leader() != null)) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw new IllegalStateException("cannot describe topic " + name + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        // the deadline below decides
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic " + name, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + name + " is not served " + ADMIN_TIMEOUT.toSeconds()
            + " s after its creation");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic " + name, e);
      }
    }
  }

  /**
   * A share group id of this test (KIP-932), set up so that its consumers start at the earliest record. By default a
   * share group starts at the latest, so records written before its first consumer joins would never arrive.
   *
   * @throws IllegalStateException if the broker refuses the group setting
   */
  public String shareGroup(String base) {
    String group = uniqueName(base);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
    AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
        AlterConfigOp.OpType.SET);
    await(admin().incrementalAlterConfigs(Map.of(resource, List.of(earliest))).all(),
        "set share.auto.offset.reset of group " + group);
    return group;
  }

  /** An admin client of the broker, created on first use and closed when the test ends. */
  public synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(connection.clientProperties());
    }
    return admin;
  }

  @Override
  public String toString() {
    return "TestKafka[" + target + ", " + connection.bootstrapServers() + ", names ending -" + scope + "]";
  }

  /** Deletes the topics this test created and closes the admin client. */
  synchronized void close() {
    if (admin == null) {
      return;
    }
    try {
      if (!createdTopics.isEmpty()) {
        // Keeps a long suite from piling up partitions on the shared broker, and an external cluster clean.
        await(admin.deleteTopics(createdTopics).all(), "delete topics " + createdTopics);
      }
    } catch (IllegalStateException e) {
      LOG.warn("Topics of {} are left on the broker: {}", this, e.getMessage(), e);
    } finally {
      admin.close(ADMIN_TIMEOUT);
      admin = null;
    }
  }

  private static <T> T await(KafkaFuture<T> future, String action) {
    try {
      return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + action + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot " + action + ": no answer within " + ADMIN_TIMEOUT.toSeconds() + " s",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to " + action, e);
    }
  }
}
