package dev.weft.connectors.kafka;

import static dev.weft.connectors.kafka.TopicTesting.ORDER;
import static dev.weft.connectors.kafka.TopicTesting.connection;
import static dev.weft.connectors.kafka.TopicTesting.produce;
import static dev.weft.connectors.kafka.TopicTesting.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.connectors.PartitionRead;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.local.Schedulers;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.registry.serde.AvroDeserializer;
import dev.weft.registry.serde.AvroSerializer;
import dev.weft.scheduler.Weft;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * A topic copied to another by a graph of read and write tasks, on the processes scheduler: the tasks' arguments and
 * results (the connection, Avro records) cross JVMs encoded, and the worker JVMs find the functions on their
 * classpath, as the broker scheduler's workers do.
 */
@WithKafka
class TopicCopyTest {
  @Test
  void anAvroTopicIsCopiedByReadAndWriteTasksInWorkerJvms(TestKafka kafka) throws Exception {
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
         AvroSerializer serializer = new AvroSerializer();
         AvroDeserializer deserializer = new AvroDeserializer()) {
      serializer.configure(Map.of("schema.registry.url", registry.url()), false);
      deserializer.configure(Map.of("schema.registry.url", registry.url()), false);
      String input = kafka.createTopic("copy-in", 3);
      String output = kafka.createTopic("copy-out", 2);
      List<GenericRecord> orders = new ArrayList<>();
      for (int partition = 0; partition < 3; partition++) {
        List<byte[]> values = new ArrayList<>();
        for (long id = partition * 100; id < partition * 100 + 20; id++) {
          GenericRecord order = new GenericData.Record(ORDER);
          order.put("id", id);
          order.put("item", "item-" + id);
          orders.add(order);
          values.add(serializer.serialize(input, order));
        }
        produce(kafka, input, partition, values);
      }
      Map<String, Object> connection = connection(kafka, registry.url());
      List<PartitionRead> reads = KafkaTopics.source(connection, input, TopicFormat.AVRO)
          .withMaxRecordsPerPartition(8).partitions();
      TopicSink sink = KafkaTopics.sink(connection, output, TopicFormat.AVRO);

      GraphBuilder graph = Graph.builder();
      List<String> writes = new ArrayList<>();
      for (int i = 0; i < reads.size(); i++) {
        graph.task("read-" + i, reads.get(i).function(), reads.get(i).args().toArray());
        List<Object> args = new ArrayList<>(sink.args(i, reads.size()));
        args.add(Arg.ref("read-" + i));
        graph.task("write-" + i, sink.function(), args.toArray());
        writes.add("write-" + i);
      }
      Map<String, Object> written = Weft.compute(graph.build(), writes, Schedulers.processes(2));

      assertEquals(9, reads.size(), "3 partitions of 20 records, in ranges of at most 8");
      assertEquals(60L, written.values().stream().mapToLong(count -> (Long) count).sum());
      List<Object> copied = new ArrayList<>(readAll(kafka, output).stream()
          .map(record -> deserializer.deserialize(output, record.value())).toList());
      copied.sort(Comparator.comparingLong(order -> (Long) ((GenericRecord) order).get("id")));
      assertEquals(orders, copied);
    }
  }
}
