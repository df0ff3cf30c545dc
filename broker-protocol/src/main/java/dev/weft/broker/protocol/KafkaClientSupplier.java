package dev.weft.broker.protocol;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Where Weft's services get their Kafka clients, as Kafka Streams' {@code KafkaClientSupplier}: {@link #DEFAULT} makes
 * real ones with the settings Weft relies on ({@link KafkaClients}); a test hands in Kafka's {@code MockProducer} and
 * {@code MockConsumer} to drive a service through rebalances, duplicates and failed sends without a broker.
 */
public interface KafkaClientSupplier {
  /** Real clients, as {@link KafkaClients} configures them. */
  KafkaClientSupplier DEFAULT = new KafkaClientSupplier() {
    @Override
    public Producer<String, byte[]> producer(Map<String, Object> clientProperties, String clientId) {
      return KafkaClients.producer(clientProperties, clientId);
    }

    @Override
    public Consumer<String, byte[]> groupConsumer(Map<String, Object> clientProperties, String group,
        String clientId) {
      return KafkaClients.groupConsumer(clientProperties, group, clientId);
    }

    @Override
    public Consumer<String, byte[]> plainConsumer(Map<String, Object> clientProperties, String clientId) {
      return KafkaClients.plainConsumer(clientProperties, clientId);
    }
  };

  /** As {@link KafkaClients#producer}. */
  Producer<String, byte[]> producer(Map<String, Object> clientProperties, String clientId);

  /** As {@link KafkaClients#groupConsumer}. */
  Consumer<String, byte[]> groupConsumer(Map<String, Object> clientProperties, String group, String clientId);

  /** As {@link KafkaClients#plainConsumer}. */
  Consumer<String, byte[]> plainConsumer(Map<String, Object> clientProperties, String clientId);
}
