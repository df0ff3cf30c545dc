package dev.weft.connection;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * How to reach a Kafka cluster: its bootstrap servers and the client settings every client of it needs, such as
 * {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config} for a SASL cluster or the
 * {@code ssl.*} settings for TLS. Pass {@link #clientProperties()} to a producer, consumer or admin client, adding
 * the settings of that client.
 *
 * <p>Immutable. {@link #toString()} names the servers and the security protocol only: the other settings may hold
 * passwords.
 */
public final class KafkaConnection {
  /** System property with the bootstrap servers of the cluster to use, {@code host:port[,host:port...]}. */
  public static final String BOOTSTRAP_PROPERTY = "weft.kafka.bootstrap";

  /** Environment variable read when {@value #BOOTSTRAP_PROPERTY} is not set. */
  public static final String BOOTSTRAP_ENV = "WEFT_KAFKA_BOOTSTRAP";

  /**
   * System property naming a Java properties file of client settings (security, timeouts). The file may also hold
   * {@code bootstrap.servers}; {@value #BOOTSTRAP_PROPERTY} or {@value #BOOTSTRAP_ENV} win over it.
   */
  public static final String PROPERTIES_FILE_PROPERTY = "weft.kafka.properties";

  /** Environment variable read when {@value #PROPERTIES_FILE_PROPERTY} is not set. */
  public static final String PROPERTIES_FILE_ENV = "WEFT_KAFKA_PROPERTIES";

  /** The client setting with the bootstrap servers, as Kafka's clients name it. */
  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";

  private final String bootstrapServers;
  private final Map<String, Object> clientProperties;

  private KafkaConnection(String bootstrapServers, Map<String, ?> settings) {
    this.bootstrapServers = validBootstrapServers(bootstrapServers);
    Map<String, Object> properties = new LinkedHashMap<>();
    settings.forEach((key, value) -> properties.put(Objects.requireNonNull(key, "client property name"),
        Objects.requireNonNull(value, () -> "value of client property " + key)));
    properties.put(BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers);
    this.clientProperties = Collections.unmodifiableMap(properties);
  }

  /** A plaintext cluster at {@code bootstrapServers}, {@code host:port[,host:port...]}. */
  public static KafkaConnection of(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of());
  }

  /**
   * A cluster at {@code bootstrapServers} whose clients need {@code clientProperties}. A {@code bootstrap.servers}
   * among them is replaced by {@code bootstrapServers}.
   */
  public static KafkaConnection of(String bootstrapServers, Map<String, ?> clientProperties) {
    return new KafkaConnection(bootstrapServers, clientProperties);
  }

  /**
   * The cluster that this JVM's system properties or environment name, if any: bootstrap servers from
   * {@value #BOOTSTRAP_PROPERTY} or {@value #BOOTSTRAP_ENV}, client settings from the file that
   * {@value #PROPERTIES_FILE_PROPERTY} or {@value #PROPERTIES_FILE_ENV} names. A system property wins over its
   * environment variable.
   *
   * @return empty if neither bootstrap servers nor a properties file is named
   * @throws IllegalArgumentException if the properties file cannot be read, names no bootstrap servers when nothing
   *     else does, or the bootstrap servers are not {@code host:port} pairs
   */
  public static Optional<KafkaConnection> fromEnvironment() {
    return fromEnvironment(System::getProperty, System::getenv);
  }

  /** {@link #fromEnvironment()} with the given lookups of system properties and environment variables. */
  static Optional<KafkaConnection> fromEnvironment(UnaryOperator<String> systemProperties,
      UnaryOperator<String> environment) {
    Setting bootstrap = Setting.lookUp(BOOTSTRAP_PROPERTY, BOOTSTRAP_ENV, systemProperties, environment);
    Setting file = Setting.lookUp(PROPERTIES_FILE_PROPERTY, PROPERTIES_FILE_ENV, systemProperties, environment);
    if (bootstrap == null && file == null) {
      return Optional.empty();
    }
    Map<String, Object> settings = file == null ? Map.of() : load(file);
    Object servers = bootstrap != null ? bootstrap.value : settings.get(BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null) {
      throw new IllegalArgumentException(file.name + " names " + file.value + ", which has no "
          + BOOTSTRAP_SERVERS_CONFIG + ", and neither " + BOOTSTRAP_PROPERTY + " nor " + BOOTSTRAP_ENV
          + " is set: the cluster is unknown");
    }
    try {
      return Optional.of(new KafkaConnection(servers.toString(), settings));
    } catch (IllegalArgumentException e) {
      String source = bootstrap != null ? bootstrap.name : BOOTSTRAP_SERVERS_CONFIG + " in " + file.value;
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** The bootstrap servers, {@code host:port[,host:port...]}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Every client's settings for this cluster, {@code bootstrap.servers} included. Unmodifiable. */
  public Map<String, Object> clientProperties() {
    return clientProperties;
  }

  /**
   * {@link #clientProperties()} with {@code extra} added, {@code extra} winning: a new, modifiable map for one client,
   * such as {@code connection.clientProperties(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "readers"))}.
   */
  public Map<String, Object> clientProperties(Map<String, ?> extra) {
    Map<String, Object> properties = new LinkedHashMap<>(clientProperties);
    properties.putAll(extra);
    return properties;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaConnection that && clientProperties.equals(that.clientProperties);
  }

  @Override
  public int hashCode() {
    return clientProperties.hashCode();
  }

  /** The servers and the security protocol; never other settings, which may hold credentials. */
  @Override
  public String toString() {
    return "KafkaConnection[" + bootstrapServers + ", "
        + clientProperties.getOrDefault("security.protocol", "PLAINTEXT") + "]";
  }

  private static String validBootstrapServers(String servers) {
    if (servers == null || servers.isBlank()) {
      throw new IllegalArgumentException("no bootstrap servers given: expected host:port[,host:port...]");
    }
    String trimmed = servers.strip();
    for (String server : trimmed.split(",", -1)) {
      String address = server.strip();
      int colon = address.lastIndexOf(':');
      String port = colon > 0 ? address.substring(colon + 1) : "";
      boolean valid = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit)
          && Integer.parseInt(port) <= 65535;
      if (!valid) {
        throw new IllegalArgumentException("bootstrap server '" + address + "' in '" + trimmed
            + "' is not host:port");
      }
    }
    return trimmed;
  }

  private static Map<String, Object> load(Setting file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(file.value), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(file.name + " names " + file.value + ", which cannot be read: " + e, e);
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    properties.stringPropertyNames().stream().sorted().forEach(key -> settings.put(key, properties.getProperty(key)));
    return settings;
  }

  /** A value with the name of the system property or environment variable it came from, for error messages. */
  private record Setting(String name, String value) {
    static Setting lookUp(String property, String variable, UnaryOperator<String> systemProperties,
        UnaryOperator<String> environment) {
      String value = systemProperties.apply(property);
      if (value != null && !value.isBlank()) {
        return new Setting(property, value.strip());
      }
      value = environment.apply(variable);
      return value != null && !value.isBlank() ? new Setting(variable, value.strip()) : null;
    }
  }
}
