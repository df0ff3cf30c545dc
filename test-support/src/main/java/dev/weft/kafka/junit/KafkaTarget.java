package dev.weft.kafka.junit;

import java.util.Locale;
import java.util.function.UnaryOperator;

/** Which broker a test runs against. */
public enum KafkaTarget {
  /**
   * The target that {@value KafkaExtension#TARGET_PROPERTY} or {@value KafkaExtension#TARGET_ENV} names, in lower
   * case; {@link #EMBEDDED} if neither is set. What {@link WithKafka} uses unless a class chooses.
   */
  CONFIGURED,

  /** An embedded broker in the test JVM: needs nothing installed. */
  EMBEDDED,

  /** A Kafka container started by Testcontainers: needs a Docker engine, and is skipped without one. */
  TESTCONTAINERS,

  /**
   * A running cluster, named as {@link dev.weft.connection.KafkaConnection#fromEnvironment()} reads it: bootstrap servers
   * and an optional file of client settings for SASL or TLS.
   */
  EXTERNAL;

  /** This target, or for {@link #CONFIGURED} the one that the system property or environment variable names. */
  public KafkaTarget resolve() {
    return resolve(System::getProperty, System::getenv);
  }

  KafkaTarget resolve(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    if (this != CONFIGURED) {
      return this;
    }
    String source = KafkaExtension.TARGET_PROPERTY;
    String name = systemProperties.apply(source);
    if (name == null || name.isBlank()) {
      source = KafkaExtension.TARGET_ENV;
      name = environment.apply(source);
    }
    if (name == null || name.isBlank()) {
      return EMBEDDED;
    }
    String wanted = name.strip().toUpperCase(Locale.ROOT);
    for (KafkaTarget target : values()) {
      if (target != CONFIGURED && target.name().equals(wanted)) {
        return target;
      }
    }
    throw new IllegalArgumentException(source + "=" + name + " is no Kafka target: expected embedded, testcontainers or"
        + " external");
  }
}
