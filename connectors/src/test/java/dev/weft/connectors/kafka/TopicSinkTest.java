package dev.weft.connectors.kafka;

import static dev.weft.connectors.kafka.TopicTesting.ORDER;
import static dev.weft.connectors.kafka.TopicTesting.connection;
import static dev.weft.connectors.kafka.TopicTesting.readAll;
import static dev.weft.connectors.kafka.TopicTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.registry.serde.AvroDeserializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Collections written through {@link TopicSink} and its functions, read back with plain Kafka clients. */
@WithKafka
class TopicSinkTest {
  private static EmbeddedSchemaRegistry registry;
  private static SchemaRegistryClient registryClient;

  @BeforeAll
  static void startRegistry() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    registryClient = RestSchemaRegistryClient.builder().baseUrl(registry.url()).build();
  }

  @AfterAll
  static void stopRegistry() {
    registryClient.close();
    registry.close();
  }

  private static GenericRecord order(long id, String item, String note) {
    GenericRecord order = new GenericData.Record(ORDER);
    order.put("id", id);
    order.put("item", item);
    order.put("note", note);
    return order;
  }

  private static List<Object> avroValues(TestKafka kafka, String topic) {
    try (AvroDeserializer deserializer = new AvroDeserializer()) {
      deserializer.configure(Map.of("schema.registry.url", registry.url()), false);
      return readAll(kafka, topic).stream().map(record -> deserializer.deserialize(topic, record.value())).toList();
    }
  }

  private static List<String> texts(TestKafka kafka, String topic) {
    return readAll(kafka, topic).stream().map(record -> record.value() == null ? null
        : new String(record.value(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void avroRecordsAreWrittenWithTheirSchemaRegisteredUnderTheTopicsSubject(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("orders-out", 1);
    TopicSink sink = KafkaTopics.sink(connection(kafka, registry.url()), topic, TopicFormat.AVRO);
    List<GenericRecord> orders = List.of(order(1, "tea", null), order(2, "cake", "gift"), order(3, "jam", null));

    assertEquals(TopicFunctions.WRITE, sink.function());
    assertEquals(List.of(TopicConnection.check(connection(kafka, registry.url())), topic, "avro"), sink.args(3, 8));
    assertEquals(3L, write(sink, orders));

    assertTrue(registryClient.subjects().contains(topic + "-value"), registryClient.subjects().toString());
    assertEquals(ORDER, registryClient.latest(topic + "-value").schema());
    assertEquals(orders, avroValues(kafka, topic));
  }

  @Test
  void mapsAreWrittenAsRecordsOfTheSinksSchema(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("maps-out", 1);
    TopicSink sink = KafkaTopics.sink(connection(kafka, registry.url()), topic, TopicFormat.AVRO)
        .withRecordSchema(ORDER);
    assertEquals(TopicFunctions.WRITE_AVRO, sink.function());
    assertEquals(ORDER.toString(), sink.args(0, 1).get(2));

    assertEquals(2L, write(sink, List.of(Map.of("id", 1L, "item", "tea"), Map.of("id", 2, "item", "cake",
        "note", "gift"))));

    assertEquals(List.of(order(1, "tea", null), order(2, "cake", "gift")), avroValues(kafka, topic));
    assertTrue(registryClient.subjects().contains(topic + "-value"));
  }

  @Test
  void anItemThatDoesNotFitIsRefusedBeforeAnythingIsWritten(TestKafka kafka) {
    String topic = kafka.createTopic("misfit-out", 1);
    Map<String, Object> connection = connection(kafka, registry.url());
    TopicSink withSchema = KafkaTopics.sink(connection, topic, TopicFormat.AVRO).withRecordSchema(ORDER);
    TopicSink withoutSchema = KafkaTopics.sink(connection, topic, TopicFormat.AVRO);

    IllegalArgumentException extraKey = assertThrows(IllegalArgumentException.class, () -> write(withSchema,
        List.of(Map.of("id", 1L, "item", "tea"), Map.of("id", 2L, "item", "cake", "colour", "red"))));
    assertTrue(extraKey.getMessage().endsWith("item 1 has a key 'colour' that record schema dev.weft.test.Order "
        + "has no field for (its fields: [id, item, note])"), extraKey.getMessage());
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> write(withSchema,
        List.of(Map.of("id", "one", "item", "tea"))));
    assertTrue(wrongType.getMessage().contains("item 0.id is one (String), which does not fit Avro schema "
        + "\"long\""), wrongType.getMessage());
    IllegalArgumentException noSchema = assertThrows(IllegalArgumentException.class, () -> write(withoutSchema,
        List.of(Map.of("id", 1L))));
    assertTrue(noSchema.getMessage().contains("an avro topic takes Avro records (or primitives), not a map: give "
        + "the sink a record schema"), noSchema.getMessage());

    assertEquals(List.of(), readAll(kafka, topic), "nothing written");
  }

  @Test
  void jsonItemsAreWrittenAsPlainJsonAndRecordsAsObjectsOfTheirFields(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("json-out", 1);
    TopicSink sink = KafkaTopics.sink(connection(kafka, registry.url()), topic, TopicFormat.JSON);
    Map<String, Object> object = new HashMap<>();
    object.put("a", 1L);
    object.put("b", Arrays.asList(true, null, 2.5));

    assertEquals(5L, write(sink, Arrays.asList(object, "text", 7, null, order(7, "tea", null))));

    List<String> values = texts(kafka, topic);
    assertEquals(5, values.size());
    assertTrue(values.get(0).equals("{\"a\":1,\"b\":[true,null,2.5]}")
        || values.get(0).equals("{\"b\":[true,null,2.5],\"a\":1}"), values.get(0));
    assertEquals(Arrays.asList("\"text\"", "7", null, "{\"id\":7,\"item\":\"tea\",\"note\":null}"),
        values.subList(1, 5));
  }

  @Test
  void stringsAndBytesAreWrittenAsTheyAre(TestKafka kafka) throws Exception {
    String strings = kafka.createTopic("strings-out", 1);
    String bytes = kafka.createTopic("bytes-out", 1);
    Map<String, Object> connection = connection(kafka, registry.url());

    assertEquals(3L, write(KafkaTopics.sink(connection, strings, TopicFormat.STRING), List.of("grüße", 5L,
        List.of("a"))));
    assertEquals(2L, write(KafkaTopics.sink(connection, bytes, TopicFormat.BYTES),
        List.of(ByteBuffer.wrap(new byte[] {0, -1, 2}), "text")));

    assertEquals(List.of("grüße", "5", "[\"a\"]"), texts(kafka, strings));
    List<ConsumerRecord<byte[], byte[]>> written = readAll(kafka, bytes);
    assertEquals(ByteBuffer.wrap(new byte[] {0, -1, 2}), ByteBuffer.wrap(written.get(0).value()));
    assertEquals("text", new String(written.get(1).value(), StandardCharsets.UTF_8));
  }

  /**
   * The broker refuses one record: the task fails, saying how many were not written, and does not return a count. The
   * topic's limit stays above the producer's batch.size (16 KiB): below it, Kafka's producer splits a refused batch
   * into the same batch again, without end.
   */
  @Test
  void aRecordTheBrokerRefusesFailsTheTask(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("small-out", 1);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    kafka.admin().incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
        new ConfigEntry("max.message.bytes", "20000"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    awaitTopicConfig(kafka, resource, "max.message.bytes", "20000");
    TopicSink sink = KafkaTopics.sink(connection(kafka, registry.url()), topic, TopicFormat.STRING);

    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> write(sink, List.of("small", "x".repeat(50_000), "small too")));

    assertTrue(refused.getMessage().startsWith("1 of the 3 records were not written to topic '" + topic + "' (the "
        + "others were): "), refused.getMessage());
    assertInstanceOf(RecordTooLargeException.class, refused.getCause());
  }

  /** Waits until the broker serves the topic setting: altering it returns before the broker applies it. */
  private static void awaitTopicConfig(TestKafka kafka, ConfigResource resource, String name, String value)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!value.equals(kafka.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
        .get(resource).get(name).value())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(resource + " has no " + name + "=" + value + " after 30 s");
      }
      Thread.onSpinWait();
    }
  }
}
