package dev.weft.registry.serde;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClientConfig;
import dev.weft.registry.TestSchemas;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bytes that are not a valid record: each fails with a message that says why, and nothing large is allocated. */
class AvroDeserializerBadInputTest {
  private static EmbeddedSchemaRegistry registry;
  private static RestSchemaRegistryClient client;
  private static AvroDeserializer deserializer;

  @BeforeAll
  static void start() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).build();
    deserializer = new AvroDeserializer(client, Map.of(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG,
        registry.url(), AvroSerdeConfig.DECODE_MAX_ITEMS_CONFIG, 1000), false);
  }

  @AfterAll
  static void stop() {
    client.close();
    registry.close();
  }

  /** The wire-format header for {@code id}, followed by {@code body}. */
  private static byte[] record(int id, int... body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    for (int b : body) {
      out.write(b);
    }
    return out.toByteArray();
  }

  private static int register(String subject, String schema) {
    return client.register(subject, TestSchemas.parse(schema));
  }

  private static void failsWith(byte[] data, String... fragments) {
    SerializationException e = assertThrows(SerializationException.class,
        () -> deserializer.deserialize("t", data));
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }
  }

  @Test
  void tooShortForTheHeader() {
    for (int length = 0; length < 5; length++) {
      failsWith(new byte[length], "truncated record", length + " bytes", "at least 5");
    }
  }

  @Test
  void wrongMagicByte() {
    failsWith("{\"id\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "unknown magic byte 0x7B",
        "starts like JSON");
    failsWith(new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}, "unknown magic byte 0xC3",
        "single-object encoding");
    failsWith(new byte[] {1, 0, 0, 0, 1, 2}, "unknown magic byte 0x01");
  }

  @Test
  void unknownSchemaId() {
    failsWith(record(0x7FFF_0001, 2), "unknown schema id 2147418113", "Schema 2147418113 not found");
  }

  @Test
  void truncatedBody() {
    int id = register("order", TestSchemas.ORDER_V1);
    failsWith(record(id), "cannot decode", "schema id " + id, "truncated input");
    failsWith(record(id, 6, 'o', '-'), "a string of 3 bytes, but only 2 remain");
    failsWith(record(id, 6, 'o', '-', '1'), "truncated input: a varint");
    failsWith(record(id, 6, 'o', '-', '1', 0x80), "truncated input: a varint");
  }

  @Test
  void bytesAfterTheValue() {
    int id = register("order", TestSchemas.ORDER_V1);
    failsWith(record(id, 2, 'x', 4, 9, 9), "2 bytes remain after the value");
  }

  @Test
  void lengthsAndCountsBeyondTheInputAreRefusedBeforeAllocating() {
    int stringId = register("string", "\"string\"");
    // Length 2^31 - 1 as a zig-zag varint: would be a 2 GiB allocation if it were believed.
    failsWith(record(stringId, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F), "a string of 2147483647 bytes, but only 0 remain");
    int longsId = register("longs", "{\"type\":\"array\",\"items\":\"long\"}");
    failsWith(record(longsId, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 2), "block of 2147483647 items, but only 1 bytes remain");
    int mapId = register("map", "{\"type\":\"map\",\"values\":\"null\"}");
    failsWith(record(mapId, 0xFE, 0xFF, 0xFF, 0xFF, 0x07), "block of 1073741823 items");
  }

  @Test
  void itemsThatTakeNoBytesAreBoundedByTheItemLimit() {
    // An array of nulls really can hold many items in few bytes, so only the configured limit (1,000) bounds it.
    int nullsId = register("nulls", "{\"type\":\"array\",\"items\":\"null\"}");
    failsWith(record(nullsId, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0), "exceeds the item limit");
    Object fine = deserializer.deserialize("t", record(nullsId, 0xD0, 0x0F, 0)); // 1,000 nulls
    assertTrue(((java.util.List<?>) fine).size() == 1000);
  }

  @Test
  void negativeAndMalformedValues() {
    int bytesId = register("bytes", "\"bytes\"");
    failsWith(record(bytesId, 0x01), "negative length -1");
    int booleanId = register("boolean", "\"boolean\"");
    failsWith(record(booleanId, 7), "malformed boolean");
    int unionId = register("union", "[\"null\",\"long\"]");
    failsWith(record(unionId, 0x08), "cannot decode");
    failsWith(record(register("long", "\"long\""), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
        "more than 10 bytes");
  }

  @Test
  void recordsNestedBeyondTheStackFailCleanly() {
    int id = register("list", "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"next\","
        + "\"type\":[\"null\",\"Node\"]}]}");
    byte[] deep = new byte[5 + 1_000_001];
    System.arraycopy(record(id), 0, deep, 0, 5);
    Arrays.fill(deep, 5, deep.length - 1, (byte) 2); // union branch 1, a million times, then null
    failsWith(deep, "records nested deeper than the stack allows");
    // And the deserializer still works afterwards.
    deserializer.deserialize("t", record(id, 2, 2, 0));
  }

  @Test
  void aReaderSchemaThatCannotReadTheWritersIsReportedAsSuch() {
    int id = register("order", TestSchemas.ORDER_V1);
    AvroDeserializer incompatible = new AvroDeserializer(client, Map.of(
        SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url(),
        AvroSerdeConfig.VALUE_READER_SCHEMA_CONFIG, TestSchemas.ORDER_BREAKING), false);
    SerializationException e = assertThrows(SerializationException.class,
        () -> incompatible.deserialize("t", record(id, 2, 'x', 4)));
    assertTrue(e.getMessage().contains("cannot read records written with schema id " + id), e.getMessage());
    assertTrue(e.getMessage().contains("customer"), e.getMessage());
  }

  @Test
  void arraysOfEmptyItemsAreTheOnlyOnesNotBoundedByTheInput() {
    assertTrue(dev.weft.registry.serde.internal.AvroDatums.arrayItemsTakeBytes(TestSchemas.parse(
        "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
            + "\"type\":\"int\"}]}}")));
    assertTrue(dev.weft.registry.serde.internal.AvroDatums.arrayItemsTakeBytes(Schema.create(Schema.Type.STRING)));
    for (String schema : new String[] {"{\"type\":\"array\",\"items\":\"null\"}",
        "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"E\",\"fields\":[]}}",
        "{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":0}}}",
        "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"x\",\"type\":[\"null\",{\"type\":\"array\","
            + "\"items\":\"null\"}]}]}"}) {
      assertTrue(!dev.weft.registry.serde.internal.AvroDatums.arrayItemsTakeBytes(TestSchemas.parse(schema)),
          schema);
    }
  }
}
