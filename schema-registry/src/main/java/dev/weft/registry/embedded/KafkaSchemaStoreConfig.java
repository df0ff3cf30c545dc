package dev.weft.registry.embedded;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration of a {@link KafkaSchemaStore}. Keys follow Confluent Schema Registry's {@code kafkastore.*} names;
 * any other {@code kafkastore.<name>} key is passed to the store's Kafka clients as {@code <name>} (for example
 * {@code kafkastore.security.protocol}).
 */
public final class KafkaSchemaStoreConfig extends AbstractConfig {
  public static final String PREFIX = "kafkastore.";

  public static final String BOOTSTRAP_SERVERS_CONFIG = "kafkastore.bootstrap.servers";
  public static final String BOOTSTRAP_SERVERS_DOC = "The Kafka cluster that holds the schemas topic.";

  public static final String TOPIC_CONFIG = "kafkastore.topic";
  public static final String TOPIC_DOC = "The compacted, single-partition topic that holds the schemas; created if"
      + " absent. Registries that share it share their schemas and agree on ids.";
  public static final String TOPIC_DEFAULT = "_weft_schemas";

  public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "kafkastore.topic.replication.factor";
  public static final String TOPIC_REPLICATION_FACTOR_DOC = "The replication factor of the topic when the store"
      + " creates it; -1 uses the broker's default.replication.factor.";

  public static final String TIMEOUT_MS_CONFIG = "kafkastore.timeout.ms";
  public static final String TIMEOUT_MS_DOC = "The longest wait for one write to be acknowledged and read back, or"
      + " for the store to catch up with the topic.";

  public static final String INIT_TIMEOUT_MS_CONFIG = "kafkastore.init.timeout.ms";
  public static final String INIT_TIMEOUT_MS_DOC = "The longest wait, at open, for the topic to be found or created"
      + " and read to its end.";

  public static final String MAX_WRITE_ATTEMPTS_CONFIG = "kafkastore.max.write.attempts";
  public static final String MAX_WRITE_ATTEMPTS_DOC = "How many times one registration is decided again when"
      + " another registry won a race for the same version or id, before it fails.";

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
      .define(TOPIC_CONFIG, Type.STRING, TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH, TOPIC_DOC)
      .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.INT, -1, Range.between(-1, Short.MAX_VALUE), Importance.MEDIUM,
          TOPIC_REPLICATION_FACTOR_DOC)
      .define(TIMEOUT_MS_CONFIG, Type.INT, 30_000, Range.atLeast(1), Importance.LOW, TIMEOUT_MS_DOC)
      .define(INIT_TIMEOUT_MS_CONFIG, Type.INT, 60_000, Range.atLeast(1), Importance.LOW, INIT_TIMEOUT_MS_DOC)
      .define(MAX_WRITE_ATTEMPTS_CONFIG, Type.INT, 10, Range.atLeast(1), Importance.LOW, MAX_WRITE_ATTEMPTS_DOC);

  public KafkaSchemaStoreConfig(Map<String, ?> originals) {
    super(CONFIG, originals, false);
  }

  public String topic() {
    return getString(TOPIC_CONFIG);
  }

  /** The properties common to the store's producer, consumer and admin client. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> properties = new HashMap<>();
    originalsWithPrefix(PREFIX).forEach((name, value) -> {
      if (!CONFIG.names().contains(PREFIX + name)) {
        properties.put(name, value);
      }
    });
    properties.put("bootstrap.servers", String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG)));
    return properties;
  }
}
