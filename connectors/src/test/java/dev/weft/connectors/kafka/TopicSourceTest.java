package dev.weft.connectors.kafka;

import static dev.weft.connectors.kafka.TopicTesting.ORDER;
import static dev.weft.connectors.kafka.TopicTesting.connection;
import static dev.weft.connectors.kafka.TopicTesting.produce;
import static dev.weft.connectors.kafka.TopicTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.connectors.PartitionRead;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.registry.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topics read through {@link TopicSource} and {@value TopicFunctions#READ}, on the real broker and registry. */
@WithKafka
class TopicSourceTest {
  private static EmbeddedSchemaRegistry registry;

  @TempDir
  Path temp;

  @BeforeAll
  static void startRegistry() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
  }

  private static List<byte[]> texts(String... values) {
    return Arrays.stream(values).map(value -> value == null ? null : value.getBytes(StandardCharsets.UTF_8))
        .toList();
  }

  private static List<byte[]> numbered(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> ("value-" + i).getBytes(StandardCharsets.UTF_8)).toList();
  }

  private static List<Object> numberedStrings(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> (Object) ("value-" + i)).toList();
  }

  private static GenericRecord order(long id) {
    GenericRecord order = new GenericData.Record(ORDER);
    order.put("id", id);
    order.put("item", "item-" + id);
    order.put("note", id % 2 == 0 ? null : "odd");
    return order;
  }

  @Test
  void avroValuesAreReadBackAsTheRecordsWrittenOnePartitionPerKafkaPartition(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("orders", 3);
    Map<String, Object> connection = connection(kafka, registry.url());
    List<List<GenericRecord>> written = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    try (AvroSerializer serializer = new AvroSerializer()) {
      serializer.configure(Map.of("schema.registry.url", registry.url()), false);
      for (int partition = 0; partition < 3; partition++) {
        List<byte[]> values = new ArrayList<>();
        for (long id = partition; id < 30; id += 3) {
          values.add(serializer.serialize(topic, order(id)));
          written.get(partition).add(order(id));
        }
        produce(kafka, topic, partition, values);
      }
    }

    List<PartitionRead> reads = KafkaTopics.source(connection, topic, TopicFormat.AVRO).partitions();

    assertEquals(3, reads.size());
    for (int partition = 0; partition < 3; partition++) {
      PartitionRead read = reads.get(partition);
      assertEquals(TopicFunctions.READ, read.function());
      assertEquals(List.of(TopicConnection.check(connection), topic, (long) partition, 0L, 10L, "avro"), read.args());
      assertEquals("kafka topic '" + topic + "' partition " + partition + " offsets 0-10 (avro)",
          read.description());
      List<Object> items = run(read);
      assertEquals(written.get(partition), items);
      items.forEach(item -> assertInstanceOf(GenericRecord.class, item));
    }
  }

  @Test
  void jsonValuesAreMapsListsLongsDoublesAndStrings(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("json", 1);
    produce(kafka, topic, 0, texts("{\"id\": 1, \"price\": 2.5, \"tags\": [\"a\", \"b\"], \"ok\": true, "
        + "\"none\": null}", "[1, 2]", "\"text\"", null, "12"));

    List<PartitionRead> reads = KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.JSON)
        .partitions();

    Map<String, Object> object = new LinkedHashMap<>();
    object.put("id", 1L);
    object.put("price", 2.5);
    object.put("tags", List.of("a", "b"));
    object.put("ok", true);
    object.put("none", null);
    assertEquals(Arrays.asList(object, List.of(1L, 2L), "text", null, 12L), run(reads.get(0)));
  }

  @Test
  void stringValuesAreTextAndBytesValuesAreTheBytes(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("text", 1);
    produce(kafka, topic, 0, texts("grüße", "", "line\nbreak"));
    Map<String, Object> connection = connection(kafka, registry.url());

    assertEquals(List.of("grüße", "", "line\nbreak"),
        run(KafkaTopics.source(connection, topic, TopicFormat.STRING).partitions().get(0)));
    assertEquals(texts("grüße", "", "line\nbreak").stream().map(ByteBuffer::wrap).toList(),
        run(KafkaTopics.source(connection, topic, TopicFormat.BYTES).partitions().get(0)));
  }

  @Test
  void aPartitionOrAnOffsetRangeOfItIsReadAlone(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("ranges", 2);
    produce(kafka, topic, 0, numbered(100, 105));
    produce(kafka, topic, 1, numbered(0, 10));
    TopicSource source = KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.STRING);

    List<PartitionRead> partition = source.withPartition(1).partitions();
    assertEquals(1, partition.size());
    assertEquals(numberedStrings(0, 10), run(partition.get(0)));

    List<PartitionRead> range = source.withRange(1, 3, 7).partitions();
    assertEquals(1, range.size());
    assertEquals("kafka topic '" + topic + "' partition 1 offsets 3-7 (string)", range.get(0).description());
    assertEquals(numberedStrings(3, 7), run(range.get(0)));

    IllegalArgumentException notYet = assertThrows(IllegalArgumentException.class,
        () -> source.withRange(1, 5, 11).partitions());
    assertEquals("topic '" + topic + "' partition 1 does not hold offsets 5-11 yet: it ends at offset 10",
        notYet.getMessage());
    IllegalArgumentException noPartition = assertThrows(IllegalArgumentException.class,
        () -> source.withPartition(2).partitions());
    assertEquals("topic '" + topic + "' has no partition 2: it has 2 (0-1)", noPartition.getMessage());
  }

  @Test
  void partitionsSplitIntoRangesOfAtMostNRecordsAndAnEmptyPartitionStaysOneEmptyPartition(TestKafka kafka)
      throws Exception {
    String topic = kafka.createTopic("split", 2);
    produce(kafka, topic, 0, numbered(0, 10));

    List<PartitionRead> reads = KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.STRING)
        .withMaxRecordsPerPartition(4).partitions();

    assertEquals(List.of("partition 0 offsets 0-4", "partition 0 offsets 4-8", "partition 0 offsets 8-10",
            "partition 1 offsets 0-0"),
        reads.stream().map(read -> read.description().replaceAll("^kafka topic '.*' (partition .*) \\(string\\)$",
            "$1")).toList());
    List<Object> all = new ArrayList<>();
    for (PartitionRead read : reads.subList(0, 3)) {
      List<Object> items = run(read);
      assertTrue(items.size() <= 4, items.toString());
      all.addAll(items);
    }
    assertEquals(numberedStrings(0, 10), all);
    assertEquals(List.of(), run(reads.get(3)));
  }

  @Test
  void endOffsetsAreFixedWhenTheSourceIsPlanned(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("growing", 1);
    produce(kafka, topic, 0, numbered(0, 5));
    TopicSource source = KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.STRING);

    List<PartitionRead> planned = source.partitions();
    produce(kafka, topic, 0, numbered(5, 8));

    assertEquals(numberedStrings(0, 5), run(planned.get(0)), "records written after planning are not read");
    assertEquals(numberedStrings(0, 8), run(source.partitions().get(0)), "a new plan reads them");
  }

  @Test
  void aRangeWhoseRecordsWereDeletedAfterPlanningFailsNamingTopicPartitionAndOffset(TestKafka kafka)
      throws Exception {
    String topic = kafka.createTopic("retention", 1);
    produce(kafka, topic, 0, numbered(0, 10));
    TopicSource source = KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.STRING);
    List<PartitionRead> planned = source.partitions();

    kafka.admin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(5))).all().get();

    IllegalStateException gone = assertThrows(IllegalStateException.class, () -> run(planned.get(0)));
    assertEquals("topic '" + topic + "' partition 0 offsets 0-10 can no longer be read whole: its records from "
        + "offset 0 are gone (the partition now begins at offset 5): they were deleted, by retention or a "
        + "delete-records request, after the read was planned", gone.getMessage());
    IllegalArgumentException plannedLate = assertThrows(IllegalArgumentException.class,
        () -> source.withRange(0, 2, 8).partitions());
    assertEquals("topic '" + topic + "' partition 0 no longer holds offsets 2-8: it begins at offset 5 (the "
        + "records before were deleted)", plannedLate.getMessage());
    assertEquals(numberedStrings(5, 10), run(source.partitions().get(0)), "a new plan starts where the log does");
  }

  @Test
  void aPartitionOverTheByteLimitFailsItsTaskNamingTheLimit(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("large", 1);
    produce(kafka, topic, 0, numbered(0, 10)); // 7 bytes each
    Map<String, Object> connection = connection(kafka, registry.url());
    connection.put(TopicConnection.READ_MAX_BYTES_CONFIG, 30);

    PartitionRead read = KafkaTopics.source(connection, topic, TopicFormat.STRING).partitions().get(0);

    IllegalStateException tooLarge = assertThrows(IllegalStateException.class, () -> run(read));
    assertTrue(tooLarge.getMessage().startsWith("topic '" + topic + "' partition 0 offsets 0-10 holds more than 30 "
        + "bytes of values (weft.kafka.read.max.bytes), at offset 4"), tooLarge.getMessage());
  }

  @Test
  void aValueNotOfTheFormatFailsItsTaskNamingItsOffset(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("bad-json", 1);
    produce(kafka, topic, 0, texts("{}", "{not json"));

    PartitionRead read = KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.JSON)
        .partitions().get(0);

    IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> run(read));
    assertTrue(notJson.getMessage().startsWith("the value at offset 1 of topic '" + topic + "' partition 0 is not "
        + "JSON: "), notJson.getMessage());
  }

  @Test
  void aTopicThatDoesNotExistIsRefusedWhenPlanned(TestKafka kafka) {
    String topic = kafka.topic("missing");
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> KafkaTopics.source(connection(kafka, registry.url()), topic, TopicFormat.JSON).partitions());
    assertTrue(missing.getMessage().startsWith("topic '" + topic + "' does not exist on "), missing.getMessage());
  }

  /** A worker's local settings file names the cluster: the graph's connection need not. */
  @Test
  void theLocalSettingsFileSuppliesWhatTheConnectionLeavesOut(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("local", 1);
    produce(kafka, topic, 0, numbered(0, 3));
    Path settings = temp.resolve("kafka-connector.properties");
    Files.writeString(settings, "bootstrap.servers=" + kafka.bootstrapServers() + "\n");
    String before = System.setProperty(TopicConnection.LOCAL_CONFIG_FILE_PROPERTY, settings.toString());
    try {
      PartitionRead read = KafkaTopics.source(Map.of(), topic, TopicFormat.STRING).partitions().get(0);
      assertEquals(Map.of(), read.args().get(0), "the local settings stay out of the graph");
      assertEquals(numberedStrings(0, 3), run(read));
    } finally {
      if (before == null) {
        System.clearProperty(TopicConnection.LOCAL_CONFIG_FILE_PROPERTY);
      } else {
        System.setProperty(TopicConnection.LOCAL_CONFIG_FILE_PROPERTY, before);
      }
    }
  }
}
