package dev.weft.connectors.kafka;

import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigException;

/**
 * A connection resolved in this JVM ({@link TopicConnection#resolve}): the properties of its clients, and the limits
 * of this package's reads.
 *
 * @param clients the Kafka and schema registry client properties, local settings included; no {@code weft.kafka.*}
 * @param readMaxBytes the most bytes of values one read task takes
 * @param readTimeoutMs how long a read waits for its next records
 * @param isolation which records reads see; offsets are looked up at the same level
 */
record ClientSettings(Map<String, Object> clients, long readMaxBytes, long readTimeoutMs, IsolationLevel isolation) {
  /** Registry clients by configuration: each caches schemas and ids, which every task of a topic needs again. */
  private static final int MAX_REGISTRY_CLIENTS = 16;
  private static final Map<Map<String, Object>, SchemaRegistryClient> REGISTRY_CLIENTS =
      new LinkedHashMap<>(MAX_REGISTRY_CLIENTS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Map<String, Object>, SchemaRegistryClient> eldest) {
          // Not closed: a task may still use it, and it holds nothing but caches (closing only clears them).
          return size() > MAX_REGISTRY_CLIENTS;
        }
      };

  ClientSettings {
    clients = Map.copyOf(clients);
  }

  /** A consumer that reads what it is assigned and nothing else: no group, no commits, no silent jump on a gap. */
  Map<String, Object> consumer() {
    Map<String, Object> properties = new HashMap<>(clients);
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    properties.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Records deleted under a read must fail it, not be skipped: no reset to the earliest or latest offset.
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
    return properties;
  }

  /** An idempotent producer that waits for every in-sync replica: a written record is not lost or duplicated. */
  Map<String, Object> producer() {
    Map<String, Object> properties = new HashMap<>(clients);
    properties.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return properties;
  }

  /** The schema registry client of this configuration, shared by the tasks of this JVM. */
  SchemaRegistryClient registry() {
    if (clients.get(TopicConnection.SCHEMA_REGISTRY_URL) == null) {
      throw new IllegalArgumentException("an avro topic needs the schema registry: set "
          + TopicConnection.SCHEMA_REGISTRY_URL + " in the connection or in the local settings");
    }
    synchronized (REGISTRY_CLIENTS) {
      SchemaRegistryClient client = REGISTRY_CLIENTS.get(clients);
      if (client == null) {
        try {
          client = RestSchemaRegistryClient.fromConfigs(clients);
        } catch (ConfigException e) {
          throw new IllegalArgumentException("invalid schema registry settings in the Kafka connection: "
              + e.getMessage(), e);
        }
        REGISTRY_CLIENTS.put(clients, client);
      }
      return client;
    }
  }
}
