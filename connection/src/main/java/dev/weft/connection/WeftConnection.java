package dev.weft.connection;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where a Weft deployment is, as this JVM's system properties or environment name it: Kafka as
 * {@link KafkaConnection#fromEnvironment()} reads it (bootstrap servers and a client properties file, for SASL or TLS)
 * and the schema registry's URL. The command line, the broker scheduler of the Java API and the tests all read it
 * here, so that a setting that works for one works for all.
 */
public final class WeftConnection {
  /** System property with the schema registry's URL (several, comma-separated, are tried in turn). */
  public static final String REGISTRY_PROPERTY = "weft.registry.url";

  /** Environment variable read when {@value #REGISTRY_PROPERTY} is not set. */
  public static final String REGISTRY_ENV = "WEFT_REGISTRY_URL";

  /** The client setting with the registry's URL, as Weft's and Confluent's serdes name it. */
  public static final String REGISTRY_URL_CONFIG = "schema.registry.url";

  private WeftConnection() {}

  /** The registry's URL from {@value #REGISTRY_PROPERTY} or {@value #REGISTRY_ENV}, if either is set. */
  public static Optional<String> registryUrl() {
    return registryUrl(System::getProperty, System::getenv);
  }

  static Optional<String> registryUrl(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    String value = systemProperties.apply(REGISTRY_PROPERTY);
    if (value == null || value.isBlank()) {
      value = environment.apply(REGISTRY_ENV);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  /**
   * Every client setting the environment gives: Kafka's (bootstrap servers and the properties file's settings) and
   * {@value #REGISTRY_URL_CONFIG}.
   *
   * @throws IllegalStateException naming what is missing, if Kafka or the registry is not named
   * @throws IllegalArgumentException if the properties file cannot be read or the servers are not host:port
   */
  public static Map<String, Object> fromEnvironment() {
    return fromEnvironment(System::getProperty, System::getenv);
  }

  static Map<String, Object> fromEnvironment(UnaryOperator<String> systemProperties,
      UnaryOperator<String> environment) {
    Optional<KafkaConnection> kafka = KafkaConnection.fromEnvironment(systemProperties, environment);
    Optional<String> registry = registryUrl(systemProperties, environment);
    if (kafka.isEmpty() || registry.isEmpty()) {
      throw new IllegalStateException("where is " + (kafka.isEmpty() ? "Kafka" : "the schema registry") + "? set "
          + (kafka.isEmpty() ? KafkaConnection.BOOTSTRAP_PROPERTY + " (" + KafkaConnection.BOOTSTRAP_ENV + "), with "
              + KafkaConnection.PROPERTIES_FILE_PROPERTY + " (" + KafkaConnection.PROPERTIES_FILE_ENV
              + ") for client settings," + (registry.isEmpty() ? " and " : "") : "")
          + (registry.isEmpty() ? REGISTRY_PROPERTY + " (" + REGISTRY_ENV + ")" : ""));
    }
    Map<String, Object> settings = new LinkedHashMap<>(kafka.get().clientProperties());
    settings.put(REGISTRY_URL_CONFIG, registry.get());
    return settings;
  }
}
