package dev.weft.broker.protocol;

import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * What the broker scheduler, its workers and its clients all need to know: where Kafka and the schema registry are,
 * and the topic prefix. Keys that start with {@code weft.} are Weft's; every other key is passed on to the Kafka
 * clients (so {@code security.protocol}, {@code sasl.*} and {@code ssl.*} work as they do for any Kafka client).
 */
public class WeftKafkaConfig extends AbstractConfig {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers to connect to, host:port[,host:port...].";

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  private static final String SCHEMA_REGISTRY_URL_DOC = "Base URL(s) of a Confluent-compatible schema registry, "
      + "comma-separated. Keys starting with 'schema.registry.' configure its client (basic.auth..., bearer...).";

  public static final String TOPIC_PREFIX = "weft.topic.prefix";
  private static final String TOPIC_PREFIX_DOC = "Prefix of every Weft topic and group name.";

  public static final String GRAPH_PARTITIONS = "weft.graph.partitions";
  private static final String GRAPH_PARTITIONS_DOC = "Partitions of the graphs, results and events topics when Weft "
      + "creates them: how many schedulers can share the work.";

  public static final String TASK_PARTITIONS = "weft.task.partitions";
  private static final String TASK_PARTITIONS_DOC = "Partitions of each tasks topic when Weft creates it: how many "
      + "workers of one pool can run at once.";

  public static final String REPLICATION_FACTOR = "weft.replication.factor";
  private static final String REPLICATION_FACTOR_DOC = "Replication factor of the topics Weft creates.";

  public static final String MAX_RECORD_BYTES = "weft.max.record.bytes";
  private static final String MAX_RECORD_BYTES_DOC = "Largest record Weft writes (a graph, a task with its literal "
      + "arguments, a result with its value): the topics Weft creates accept it and its producers may send it.";

  public static final String CREATE_TOPICS = "weft.create.topics";
  private static final String CREATE_TOPICS_DOC = "Whether to create Weft's topics when they are missing.";

  public static final String HTTP_HOST = "weft.http.host";
  private static final String HTTP_HOST_DOC = "Address the service's HTTP endpoint (health, Prometheus metrics, the "
      + "scheduler's dashboard) binds: 127.0.0.1 serves this machine only, 0.0.0.0 every interface.";

  public static final String HTTP_PORT = "weft.http.port";
  private static final String HTTP_PORT_DOC = "Port of the service's HTTP endpoint (GET /health, GET /metrics, and on "
      + "a scheduler the dashboard at /); 0 takes a free port, -1 serves none.";

  /**
   * Defines the HTTP endpoint's keys, with this service's default port.
   *
   * @param defaultPort the port when none is set; -1 for no endpoint unless one is asked for
   */
  protected static ConfigDef withHttp(ConfigDef definition, int defaultPort) {
    return definition
        .define(HTTP_HOST, Type.STRING, "127.0.0.1", Importance.MEDIUM, HTTP_HOST_DOC)
        .define(HTTP_PORT, Type.INT, defaultPort, ConfigDef.Range.between(-1, 65535), Importance.MEDIUM,
            HTTP_PORT_DOC);
  }

  protected static ConfigDef baseDefinition() {
    return new ConfigDef()
        .define(BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
        .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
        .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, Importance.MEDIUM, TOPIC_PREFIX_DOC)
        .define(GRAPH_PARTITIONS, Type.INT, 8, ConfigDef.Range.atLeast(1), Importance.MEDIUM, GRAPH_PARTITIONS_DOC)
        .define(TASK_PARTITIONS, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.MEDIUM, TASK_PARTITIONS_DOC)
        .define(REPLICATION_FACTOR, Type.SHORT, (short) 1, Importance.MEDIUM, REPLICATION_FACTOR_DOC)
        .define(MAX_RECORD_BYTES, Type.INT, 64 << 20, ConfigDef.Range.atLeast(1 << 20), Importance.MEDIUM,
            MAX_RECORD_BYTES_DOC)
        .define(CREATE_TOPICS, Type.BOOLEAN, true, Importance.LOW, CREATE_TOPICS_DOC);
  }

  public WeftKafkaConfig(Map<String, ?> originals) {
    this(baseDefinition(), originals);
  }

  protected WeftKafkaConfig(ConfigDef definition, Map<String, ?> originals) {
    super(definition, originals, false);
  }

  public Topics topics() {
    return new Topics(getString(TOPIC_PREFIX));
  }

  /** Creates Weft's topics that are missing, for these pools besides the default one, if so configured. */
  public void createTopics(java.util.Collection<String> pools) {
    if (!getBoolean(CREATE_TOPICS)) {
      return;
    }
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        clientProperties())) {
      topics().create(admin, getInt(GRAPH_PARTITIONS), getInt(TASK_PARTITIONS), getShort(REPLICATION_FACTOR),
          getInt(MAX_RECORD_BYTES), pools);
    }
  }

  /** The settings for Kafka clients: the bootstrap servers and every key that is not Weft's or the registry's. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> properties = new HashMap<>();
    originals().forEach((key, value) -> {
      if (!key.startsWith("weft.") && !key.startsWith("schema.registry.")) {
        properties.put(key, value);
      }
    });
    properties.put(BOOTSTRAP_SERVERS, String.join(",", getList(BOOTSTRAP_SERVERS)));
    properties.putIfAbsent("max.request.size", getInt(MAX_RECORD_BYTES));
    return properties;
  }

  /** A client of the configured registry; the caller closes it. */
  public SchemaRegistryClient registryClient() {
    Map<String, Object> registry = new HashMap<>();
    originals().forEach((key, value) -> {
      if (key.startsWith("schema.registry.")) {
        registry.put(key, value);
      }
    });
    return RestSchemaRegistryClient.fromConfigs(registry);
  }
}
