package dev.weft.registry.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClientConfig;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.TestSchemas;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The serializers against the embedded registry: wire format, subjects, registration modes, schema evolution. */
class AvroSerdeTest {
  private EmbeddedSchemaRegistry registry;
  private RestSchemaRegistryClient client;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).build();
  }

  @AfterEach
  void stop() {
    client.close();
    registry.close();
  }

  private Map<String, Object> configs(Object... keysAndValues) {
    Map<String, Object> configs = new HashMap<>();
    configs.put(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
    for (int i = 0; i < keysAndValues.length; i += 2) {
      configs.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return configs;
  }

  private AvroSerializer serializer(Object... keysAndValues) {
    return new AvroSerializer(client, configs(keysAndValues), false);
  }

  private AvroDeserializer deserializer(Object... keysAndValues) {
    return new AvroDeserializer(client, configs(keysAndValues), false);
  }

  static GenericRecord orderV1(String id, long amount) {
    GenericRecord order = new GenericData.Record(TestSchemas.orderV1());
    order.put("id", id);
    order.put("amount", amount);
    return order;
  }

  static GenericRecord orderV2(String id, long amount, String currency) {
    GenericRecord order = new GenericData.Record(TestSchemas.orderV2());
    order.put("id", id);
    order.put("amount", amount);
    order.put("currency", currency);
    return order;
  }

  @Test
  void writesTheConfluentWireFormatAndReadsItBack() {
    byte[] bytes = serializer().serialize("orders", orderV1("o-1", 250));
    int id = client.latest("orders-value").id();
    assertEquals(0, bytes[0], "magic byte");
    assertEquals(id, ByteBuffer.wrap(bytes, 1, 4).getInt(), "big-endian schema id");
    // The body is plain Avro binary: "o-1" as length 3 (zig-zag 6) and bytes, then 250 as zig-zag varint.
    assertArrayEquals(new byte[] {6, 'o', '-', '1', (byte) 0xF4, 0x03}, java.util.Arrays.copyOfRange(bytes, 5,
        bytes.length));
    GenericRecord read = (GenericRecord) deserializer().deserialize("orders", bytes);
    assertEquals("o-1", read.get("id").toString());
    assertEquals(250L, read.get("amount"));
  }

  @Test
  void primitivesRoundTripAndNullIsATombstone() {
    AvroSerializer serializer = serializer();
    AvroDeserializer deserializer = deserializer();
    for (Object value : List.of("text", 42, 42L, 1.5f, 2.5d, true)) {
      String topic = "p-" + value.getClass().getSimpleName(); // a subject per type: string cannot follow int
      assertEquals(value, deserializer.deserialize(topic, serializer.serialize(topic, value)), "value " + value);
    }
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) deserializer.deserialize("p",
        serializer.serialize("p", new byte[] {1, 2, 3})));
    assertNull(serializer.serialize("p", null));
    assertNull(deserializer.deserialize("p", null));
    SerializationException e = assertThrows(SerializationException.class,
        () -> serializer.serialize("p", new java.util.Date()));
    assertTrue(e.getMessage().contains("cannot serialize a java.util.Date"), e.getMessage());
  }

  @Test
  void aNewReaderReadsOldDataAndAnOldReaderReadsNewData() {
    byte[] v1Bytes = serializer().serialize("orders", orderV1("o-1", 10));
    byte[] v2Bytes = serializer().serialize("orders", orderV2("o-2", 20, "CHF"));

    AvroDeserializer v2Reader = deserializer(AvroSerdeConfig.VALUE_READER_SCHEMA_CONFIG, TestSchemas.ORDER_V2);
    GenericRecord oldAsNew = (GenericRecord) v2Reader.deserialize("orders", v1Bytes);
    assertEquals(TestSchemas.orderV2(), oldAsNew.getSchema());
    assertEquals("EUR", oldAsNew.get("currency").toString(), "the default fills the field v1 lacks");
    assertEquals(10L, oldAsNew.get("amount"));

    AvroDeserializer v1Reader = deserializer(AvroSerdeConfig.VALUE_READER_SCHEMA_CONFIG, TestSchemas.ORDER_V1);
    GenericRecord newAsOld = (GenericRecord) v1Reader.deserialize("orders", v2Bytes);
    assertEquals(TestSchemas.orderV1(), newAsOld.getSchema());
    assertEquals("o-2", newAsOld.get("id").toString());
    assertNull(newAsOld.getSchema().getField("currency"), "the field v1 does not know is skipped");

    AvroDeserializer byWriter = deserializer();
    assertEquals(TestSchemas.orderV1(), ((GenericRecord) byWriter.deserialize("orders", v1Bytes)).getSchema());
    assertEquals(TestSchemas.orderV2(), ((GenericRecord) byWriter.deserialize("orders", v2Bytes)).getSchema());
  }

  @Test
  void anIncompatibleSchemaIsRefusedAndTheCauseCarriesTheRegistrysCode() {
    AvroSerializer serializer = serializer();
    serializer.serialize("orders", orderV1("o-1", 1));
    GenericRecord breaking = new GenericData.Record(TestSchemas.orderBreaking());
    breaking.put("id", "o-2");
    breaking.put("amount", 2L);
    breaking.put("customer", "c");
    SerializationException e = assertThrows(SerializationException.class,
        () -> serializer.serialize("orders", breaking));
    SchemaRegistryException cause = assertInstanceOf(SchemaRegistryException.class, e.getCause());
    assertEquals(409, cause.status());
    assertEquals(40901, cause.errorCode());
    assertTrue(e.getMessage().contains("subject 'orders-value'"), e.getMessage());
  }

  @Test
  void withoutAutoRegistrationTheSchemaMustAlreadyBeRegistered() {
    AvroSerializer strict = serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false);
    SerializationException e = assertThrows(SerializationException.class,
        () -> strict.serialize("orders", orderV1("o-1", 1)));
    assertEquals(40401, ((SchemaRegistryException) e.getCause()).errorCode());
    client.register("orders-value", TestSchemas.orderV1());
    byte[] bytes = strict.serialize("orders", orderV1("o-1", 1));
    assertEquals("o-1", ((GenericRecord) deserializer().deserialize("orders", bytes)).get("id").toString());
    assertEquals(List.of(1), client.versions("orders-value"));
  }

  @Test
  void withTheLatestVersionRecordsAreWrittenAndReadAsTheLatestSchema() {
    client.register("orders-value", TestSchemas.orderV1());
    int latestId = client.register("orders-value", TestSchemas.orderV2());
    AvroSerializer latest = serializer(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true);
    byte[] bytes = latest.serialize("orders", orderV1("o-1", 5));
    assertEquals(latestId, ByteBuffer.wrap(bytes, 1, 4).getInt());
    GenericRecord read = (GenericRecord) deserializer().deserialize("orders", bytes);
    assertEquals(TestSchemas.orderV2(), read.getSchema());
    assertEquals("EUR", read.get("currency").toString());
    assertEquals(List.of(1, 2), client.versions("orders-value"), "nothing registered");

    byte[] v1Bytes = serializer().serialize("orders", orderV1("o-2", 6));
    GenericRecord upgraded = (GenericRecord) deserializer(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, true)
        .deserialize("orders", v1Bytes);
    assertEquals(TestSchemas.orderV2(), upgraded.getSchema());
  }

  @Test
  void subjectNameStrategiesNameTheSubject() {
    GenericRecord order = orderV1("o-1", 1);
    new AvroSerializer(client, configs(), true).serialize("orders", order);
    serializer(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "record").serialize("orders", order);
    serializer(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "topic_record").serialize("orders", order);
    serializer(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG,
        "io.confluent.kafka.serializers.subject.TopicNameStrategy").serialize("orders", order);
    serializer(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, UpperCaseStrategy.class.getName())
        .serialize("orders", order);
    assertEquals(List.of("ORDERS", "dev.weft.test.Order", "orders-dev.weft.test.Order", "orders-key",
        "orders-value"), client.subjects());
    assertThrows(ConfigException.class,
        () -> serializer(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY_CONFIG, "no.such.Strategy"));
  }

  /** A strategy of the application's own, named by class in the configuration. */
  public static final class UpperCaseStrategy implements SubjectNameStrategy {
    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
      return topic.toUpperCase(java.util.Locale.ROOT);
    }
  }

  @Test
  void serdesBuiltByKafkaFromClassNamesConfigureTheirOwnClient() {
    try (AvroSerializer serializer = new AvroSerializer();
        AvroDeserializer deserializer = new AvroDeserializer()) {
      serializer.configure(configs(), false);
      deserializer.configure(configs(), false);
      byte[] bytes = serializer.serialize("orders", orderV1("o-9", 9));
      assertEquals("o-9", ((GenericRecord) deserializer.deserialize("orders", bytes)).get("id").toString());
    }
    AvroSerializer unconfigured = new AvroSerializer();
    assertThrows(IllegalStateException.class, () -> unconfigured.serialize("t", "x"));
    assertThrows(ConfigException.class, () -> unconfigured.configure(Map.of(), false));
  }
}
