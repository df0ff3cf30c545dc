package dev.weft.connectors.kafka;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;

/**
 * The connection of the Kafka connector: which cluster and schema registry a source or sink uses, as a map of client
 * properties ({@code bootstrap.servers}, {@code schema.registry.url}, {@code security.protocol}, ...) plus this
 * package's own settings ({@code weft.kafka.*}).
 *
 * <p><b>The connection travels in the graph</b>, as a literal argument of every task that reads or writes a topic; on
 * the broker scheduler that is a Kafka topic anyone with access to Weft's topics can read. So it is refused when it
 * holds a secret (a key naming a password, a JAAS configuration, a token, a private key, an authorization header; a
 * URL with a user and password), or a property that makes the worker load a class or run a command (a graph must not
 * choose code to run). Such properties are configured where the task runs, in the JVM's local settings:
 *
 * <ul>
 *   <li>a properties file named by the system property {@value #LOCAL_CONFIG_FILE_PROPERTY} or the environment
 *       variable {@value #LOCAL_CONFIG_FILE_ENV};
 *   <li>environment variables {@value #LOCAL_ENV_PREFIX}{@code <PROPERTY>}, the property's name upper-cased with
 *       {@code _} for {@code .}: {@code WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}. They win
 *       over the file.
 * </ul>
 *
 * <p>Local settings win over the connection's, and are read by every JVM that connects: the caller that plans a
 * source (it looks up offsets) and the workers that run its tasks. Local settings that hold credentials must name the
 * cluster they are for ({@code bootstrap.servers}, and {@code schema.registry.url} for registry credentials), and a
 * connection that names another is refused, so that a graph cannot send a worker's credentials to a server of its
 * choosing.
 */
public final class TopicConnection {
  /** The most bytes of record values one read task takes; more fails the task rather than the worker's heap. */
  public static final String READ_MAX_BYTES_CONFIG = "weft.kafka.read.max.bytes";
  public static final long READ_MAX_BYTES_DEFAULT = 256L << 20;

  /** How long a read task waits for the next records of its range before it fails (a broker away, a range lost). */
  public static final String READ_TIMEOUT_MS_CONFIG = "weft.kafka.read.timeout.ms";
  public static final long READ_TIMEOUT_MS_DEFAULT = 60_000;

  /** The system property naming this JVM's local settings file. */
  public static final String LOCAL_CONFIG_FILE_PROPERTY = "weft.connectors.kafka.config";
  /** The environment variable naming this JVM's local settings file, when the system property is not set. */
  public static final String LOCAL_CONFIG_FILE_ENV = "WEFT_CONNECTORS_KAFKA_CONFIG";
  /** The prefix of environment variables that set one local property each. */
  public static final String LOCAL_ENV_PREFIX = "WEFT_CONNECTORS_KAFKA_";

  /** This package's own keys start so; they are not passed to the Kafka clients. */
  static final String WEFT_PREFIX = "weft.kafka.";

  static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

  /** Parts of key names that say the value is a secret. */
  private static final List<String> SECRET_KEY_PARTS = List.of("password", "jaas", "secret", "basic.auth.user.info",
      "bearer.auth.token", "authorization", "ssl.keystore.key", "private.key");

  /** Registry credentials: they need a local schema.registry.url. */
  private static final List<String> REGISTRY_SECRET_KEY_PARTS = List.of("basic.auth.user.info", "bearer.auth.token",
      "authorization");

  /** Keys whose values name classes to load or commands to run, beside every key ending in .class or .classes. */
  private static final Set<String> CODE_KEYS = Set.of("key.serializer", "value.serializer", "key.deserializer",
      "value.deserializer", "metric.reporters", "security.providers", "sasl.kerberos.kinit.cmd");
  private static final String CONFIG_PROVIDERS_PREFIX = "config.providers";

  /** The serializers' subject strategies: a name of these is safe, any other value is a class name. */
  private static final Set<String> SUBJECT_STRATEGY_KEYS = Set.of("key.subject.name.strategy",
      "value.subject.name.strategy");
  private static final Set<String> SUBJECT_STRATEGY_NAMES = Set.of("topic", "record", "topic_record");

  /** A URL with user info: {@code http://user:password@host}. */
  private static final Pattern URL_WITH_PASSWORD = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/@\\s]*:[^/@\\s]*@");

  private TopicConnection() {}

  /**
   * The connection as it travels in a graph: its values as strings, its keys in order.
   *
   * @throws IllegalArgumentException if it holds a secret, a property that chooses code to run, or a value that is
   *     not a string, number or boolean, naming the key and where to configure it instead
   */
  public static Map<String, Object> check(Map<String, ?> connection) {
    if (connection == null) {
      throw new IllegalArgumentException("no Kafka connection: give at least bootstrap.servers, or an empty map "
          + "when every JVM's local settings name the cluster");
    }
    Map<String, Object> checked = new TreeMap<>();
    connection.forEach((key, value) -> {
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        throw new IllegalArgumentException("Kafka connection property '" + key + "' must be a string, number or "
            + "boolean, not " + (value == null ? "null" : value instanceof List ? "a list"
            : value instanceof Map ? "a map" : "a " + value.getClass().getSimpleName()));
      }
      String text = value.toString();
      refuseSecret(key, text);
      refuseCode(key, text);
      checked.put(key, text);
    });
    return Collections.unmodifiableMap(checked);
  }

  private static void refuseSecret(String key, String value) {
    if (isSecret(key) || URL_WITH_PASSWORD.matcher(value).find()) {
      throw new IllegalArgumentException("Kafka connection property '" + key + "' holds a secret, and the "
          + "connection travels in the graph (to every worker, and through Kafka on the broker scheduler): configure "
          + "it where the tasks run instead, in the file named by " + LOCAL_CONFIG_FILE_PROPERTY + " or "
          + LOCAL_CONFIG_FILE_ENV + ", or the environment variable " + variableOf(key)
          + (isSecret(key) ? "" : " (a URL without the user and password, and the credentials in their own property)"));
    }
  }

  private static void refuseCode(String key, String value) {
    String lower = key.toLowerCase(Locale.ROOT);
    boolean choosesCode = lower.endsWith(".class") || lower.endsWith(".classes") || CODE_KEYS.contains(lower)
        || lower.startsWith(CONFIG_PROVIDERS_PREFIX)
        || (SUBJECT_STRATEGY_KEYS.contains(lower) && !SUBJECT_STRATEGY_NAMES.contains(value.toLowerCase(Locale.ROOT)));
    if (choosesCode) {
      throw new IllegalArgumentException("Kafka connection property '" + key + "' names a class to load or a "
          + "command to run, which a graph may not choose for the workers"
          + (SUBJECT_STRATEGY_KEYS.contains(lower) ? " (use topic, record or topic_record)" : "")
          + ": configure it where the tasks run, in the file named by " + LOCAL_CONFIG_FILE_PROPERTY + " or "
          + LOCAL_CONFIG_FILE_ENV + ", or the environment variable " + variableOf(key));
    }
  }

  static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return SECRET_KEY_PARTS.stream().anyMatch(lower::contains);
  }

  private static String variableOf(String key) {
    return LOCAL_ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /**
   * The settings the clients of this JVM use for {@code connection}: it, checked, with this JVM's local settings over
   * it.
   *
   * @throws IllegalArgumentException if the connection is refused by {@link #check}, names another cluster or
   *     registry than the local settings, or a setting of this package is not a number
   */
  static ClientSettings resolve(Map<String, ?> connection) {
    return resolve(connection, LocalSettings.load());
  }

  static ClientSettings resolve(Map<String, ?> connection, LocalSettings local) {
    Map<String, Object> merged = new HashMap<>(check(connection));
    requireClusterNamed(local);
    for (String key : List.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, SCHEMA_REGISTRY_URL)) {
      Object given = merged.get(key);
      String own = local.values().get(key);
      if (given != null && own != null && !addresses(given.toString()).equals(addresses(own))) {
        throw new IllegalArgumentException("the Kafka connection names " + key + " '" + given + "', but this JVM's "
            + "Kafka connector settings (" + local.origin() + ") are for '" + own + "': they are only used with the "
            + "servers they name. Leave " + key + " out of the connection, or make the two agree");
      }
    }
    merged.putAll(local.values());
    long maxBytes = longSetting(merged, READ_MAX_BYTES_CONFIG, READ_MAX_BYTES_DEFAULT);
    long timeoutMs = longSetting(merged, READ_TIMEOUT_MS_CONFIG, READ_TIMEOUT_MS_DEFAULT);
    merged.keySet().removeIf(key -> key.startsWith(WEFT_PREFIX));
    // A bounded read sees only committed records unless told otherwise: an aborted transaction is not data.
    Object isolation = merged.computeIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        key -> IsolationLevel.READ_COMMITTED.toString());
    return new ClientSettings(merged, maxBytes, timeoutMs, isolationLevel(isolation.toString()));
  }

  /** Credentials are tied to the servers they are for, or a graph could send them anywhere. */
  private static void requireClusterNamed(LocalSettings local) {
    Set<String> keys = local.values().keySet();
    boolean registrySecrets = keys.stream().anyMatch(TopicConnection::isRegistrySecret);
    boolean clusterSecrets = keys.stream().anyMatch(key -> isSecret(key) && !isRegistrySecret(key));
    if (registrySecrets && !keys.contains(SCHEMA_REGISTRY_URL)) {
      throw new IllegalArgumentException("this JVM's Kafka connector settings (" + local.origin() + ") hold schema "
          + "registry credentials but no " + SCHEMA_REGISTRY_URL + ": name the registry they are for there, so that "
          + "a graph cannot send them to another");
    }
    if (clusterSecrets && !keys.contains(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException("this JVM's Kafka connector settings (" + local.origin() + ") hold "
          + "credentials but no " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + ": name the cluster they are for "
          + "there, so that a graph cannot send them to another");
    }
  }

  private static boolean isRegistrySecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return REGISTRY_SECRET_KEY_PARTS.stream().anyMatch(lower::contains);
  }

  private static Set<String> addresses(String list) {
    Set<String> addresses = new TreeSet<>();
    Arrays.stream(list.split(",")).map(String::trim).filter(address -> !address.isEmpty())
        .map(address -> address.toLowerCase(Locale.ROOT)).forEach(addresses::add);
    return addresses;
  }

  private static long longSetting(Map<String, Object> settings, String key, long defaultValue) {
    Object value = settings.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      long parsed = Long.parseLong(value.toString().trim());
      if (parsed <= 0) {
        throw new NumberFormatException("not positive");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Kafka connection setting " + key + " must be a positive integer, not '"
          + value + "'", e);
    }
  }

  private static IsolationLevel isolationLevel(String value) {
    for (IsolationLevel level : IsolationLevel.values()) {
      if (level.toString().equalsIgnoreCase(value)) {
        return level;
      }
    }
    throw new IllegalArgumentException("Kafka connection property " + ConsumerConfig.ISOLATION_LEVEL_CONFIG
        + " must be read_committed or read_uncommitted, not '" + value + "'");
  }
}
