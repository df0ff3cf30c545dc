package dev.weft.kafka.junit.internal;

import dev.weft.connection.KafkaConnection;
import dev.weft.kafka.embedded.EmbeddedKafka;
import dev.weft.kafka.junit.KafkaExtension;
import dev.weft.kafka.junit.KafkaTarget;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of one target that all test classes of a JVM share, or why there is none. JUnit closes it when the run
 * ends.
 */
public final class SharedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedKafka.class);

  /** How long an external cluster may take to answer before the tests are failed rather than left hanging. */
  private static final Duration EXTERNAL_TIMEOUT = Duration.ofSeconds(30);

  private static final String TESTCONTAINERS_CLASS = "org.testcontainers.DockerClientFactory";

  private final KafkaTarget target;
  private final KafkaConnection connection;
  /** Stops the broker this JVM started; null for an external cluster or none. */
  private final Runnable stop;
  private final RuntimeException failure;

  private SharedKafka(KafkaTarget target, KafkaConnection connection, Runnable stop, RuntimeException failure) {
    this.target = target;
    this.connection = connection;
    this.stop = stop;
    this.failure = failure;
  }

  /** Starts or finds the broker of {@code target}; a failure is kept, to be reported to every test that asks. */
  public static SharedKafka start(KafkaTarget target) {
    try {
      SharedKafka shared = switch (target) {
        case EMBEDDED -> {
          EmbeddedKafka kafka = EmbeddedKafka.start();
          yield new SharedKafka(target, kafka.connection(), kafka::close, null);
        }
        case TESTCONTAINERS -> {
          requireTestcontainers();
          ContainerKafka kafka = ContainerKafka.start(image());
          yield new SharedKafka(target, kafka.connection(), kafka::close, null);
        }
        case EXTERNAL -> new SharedKafka(target, reachableExternalCluster(), null, null);
        case CONFIGURED -> throw new IllegalArgumentException("the configured target must be resolved first");
      };
      LOG.info("Tests share the {} Kafka broker {}", name(target), shared.connection);
      return shared;
    } catch (RuntimeException e) {
      LOG.error("No {} Kafka broker for the tests", name(target), e);
      return new SharedKafka(target, null, null, e);
    }
  }

  /**
   * Why Testcontainers cannot start a container here, or empty if it can.
   *
   * @throws IllegalStateException if Testcontainers is not on the class path: a build mistake, not a skip
   */
  public static Optional<String> dockerUnavailableReason() {
    requireTestcontainers();
    return ContainerKafka.dockerUnavailableReason();
  }

  /** How to reach the broker; null if it failed. */
  public KafkaConnection connection() {
    return connection;
  }

  /** Why there is no broker; null if there is one. */
  public RuntimeException failure() {
    return failure;
  }

  @Override
  public void close() {
    if (stop != null) {
      LOG.info("Stopping the shared {} Kafka broker {}", name(target), connection);
      stop.run();
    }
  }

  private static String name(KafkaTarget target) {
    return target.name().toLowerCase(Locale.ROOT);
  }

  private static void requireTestcontainers() {
    try {
      Class.forName(TESTCONTAINERS_CLASS, false, SharedKafka.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the Kafka target testcontainers needs org.testcontainers:kafka on the test class"
          + " path", e);
    }
  }

  private static String image() {
    String image = System.getProperty(KafkaExtension.IMAGE_PROPERTY);
    if (image == null || image.isBlank()) {
      image = System.getenv(KafkaExtension.IMAGE_ENV);
    }
    return image == null || image.isBlank() ? "apache/kafka:" + EmbeddedKafka.KAFKA_VERSION : image.strip();
  }

  private static KafkaConnection reachableExternalCluster() {
    KafkaConnection connection = KafkaConnection.fromEnvironment().orElseThrow(() -> new IllegalStateException(
        "the Kafka target external needs the cluster's bootstrap servers in " + KafkaConnection.BOOTSTRAP_PROPERTY
        + " or " + KafkaConnection.BOOTSTRAP_ENV + " (and client settings, if any, in the file that "
        + KafkaConnection.PROPERTIES_FILE_PROPERTY + " or " + KafkaConnection.PROPERTIES_FILE_ENV + " names)"));
    try (Admin admin = Admin.create(connection.clientProperties())) {
      admin.describeCluster().nodes().get(EXTERNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the external Kafka cluster " + connection + " did not answer within "
          + EXTERNAL_TIMEOUT.toSeconds() + " s: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching the external Kafka cluster " + connection, e);
    }
    return connection;
  }
}
