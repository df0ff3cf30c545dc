package dev.weft.connectors.kafka;

import dev.weft.connectors.PartitionRead;
import dev.weft.connectors.Sink;
import dev.weft.function.FunctionRegistry;
import dev.weft.kafka.junit.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the tests of this package share: the functions, a schema, and plain Kafka clients to write and read. */
final class TopicTesting {
  static final FunctionRegistry FUNCTIONS = new FunctionRegistry().install(new TopicFunctions());

  static final Schema ORDER = new Schema.Parser().parse("""
      {"type": "record", "name": "Order", "namespace": "dev.weft.test", "fields": [
        {"name": "id", "type": "long"},
        {"name": "item", "type": "string"},
        {"name": "note", "type": ["null", "string"], "default": null}]}""");

  private static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(60);

  private TopicTesting() {}

  /** The test broker's client properties and the registry, as a connection. */
  static Map<String, Object> connection(TestKafka kafka, String registryUrl) {
    Map<String, Object> connection = new HashMap<>(kafka.clientProperties());
    connection.put("schema.registry.url", registryUrl);
    return connection;
  }

  /** Runs a planned read as its task would, through the registered function. */
  @SuppressWarnings("unchecked")
  static List<Object> run(PartitionRead read) throws Exception {
    return (List<Object>) FUNCTIONS.require(read.function()).apply(read.args().toArray());
  }

  /** Writes one partition through a sink's function, as its task would. */
  static Object write(Sink sink, List<?> items) throws Exception {
    List<Object> args = new ArrayList<>(sink.args(0, 1));
    args.add(items);
    return FUNCTIONS.require(sink.function()).apply(args.toArray());
  }

  /** Writes record values, without keys, to one partition, in order. */
  static void produce(TestKafka kafka, String topic, int partition, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(topic, partition, null, value));
      }
      producer.flush();
    }
  }

  /** Every record of every partition of {@code topic}, partition by partition in offset order. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(TestKafka kafka, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.clientProperties(),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + READ_BACK_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + topic + " not read to its end offsets " + ends + " in "
              + READ_BACK_TIMEOUT.toSeconds() + " s; read " + records.size() + " records");
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
          : Long.compare(a.offset(), b.offset()));
      return records;
    }
  }
}
