package dev.weft.registry.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.kafka.junit.AptInstall;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClientConfig;
import dev.weft.registry.TestSchemas;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.registry.serde.AvroDeserializer;
import dev.weft.registry.serde.AvroSerdeConfig;
import dev.weft.registry.serde.AvroSerializer;
import java.io.File;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Weft and a client nobody on this project wrote, Confluent's own Python client (Debian's python3-confluent-kafka),
 * against the embedded registry: each reads the schemas the other registered and decodes the bytes the other wrote.
 *
 * <p>The setup installs the client with apt-get when it is missing ({@link AptInstall})
 * and fails, saying why, when it cannot. {@code -Dweft.interop.skip=true} skips the test explicitly, for machines
 * without Debian's packages.
 */
class ConfluentPythonInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPTS = Path.of("src", "test", "scripts");
  private static final String PYTHON = "/usr/bin/python3";

  private static final String READING_SCHEMA = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":"
      + "\"dev.weft.interop\",\"fields\":[{\"name\":\"sensor\",\"type\":\"string\"},{\"name\":\"value\","
      + "\"type\":\"double\"},{\"name\":\"count\",\"type\":\"int\"},{\"name\":\"total\",\"type\":\"long\"},"
      + "{\"name\":\"ratio\",\"type\":\"float\"},{\"name\":\"ok\",\"type\":\"boolean\"},{\"name\":\"tags\","
      + "\"type\":{\"type\":\"array\",\"items\":\"string\"}},{\"name\":\"attrs\",\"type\":{\"type\":\"map\","
      + "\"values\":\"long\"}},{\"name\":\"kind\",\"type\":{\"type\":\"enum\",\"name\":\"Kind\",\"symbols\":"
      + "[\"ANALOG\",\"DIGITAL\"]}},{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null},"
      + "{\"name\":\"payload\",\"type\":\"bytes\"},{\"name\":\"checksum\",\"type\":{\"type\":\"fixed\","
      + "\"name\":\"Checksum\",\"size\":4}}]}";
  /** The same reading as Confluent's Python client takes it: bytes as hex. */
  private static final String READING_JSON = "{\"sensor\":\"s-1\",\"value\":21.5,\"count\":3,\"total\":12345678901,"
      + "\"ratio\":0.5,\"ok\":true,\"tags\":[\"a\",\"b\"],\"attrs\":{\"x\":1},\"kind\":\"DIGITAL\",\"note\":\"hi\","
      + "\"payload\":{\"hex\":\"00ff10\"},\"checksum\":{\"hex\":\"deadbeef\"}}";
  private static final String SHIPMENT_SCHEMA = "{\"type\":\"record\",\"name\":\"Shipment\",\"namespace\":"
      + "\"py.test\",\"fields\":[{\"name\":\"to\",\"type\":\"string\"},{\"name\":\"weight\",\"type\":\"double\","
      + "\"default\":0.0}]}";

  private static final boolean SKIP = AptInstall.SKIP;

  @BeforeAll
  static void installConfluentsClient() throws Exception {
    if (SKIP) {
      return; // reported as a skip by the test itself, so the count shows it
    }
    // Debian's python3-confluent-kafka: its legacy confluent_kafka.avro module has CachedSchemaRegistryClient and
    // MessageSerializer.
    AptInstall.ensure("Confluent's Python client", "/usr/bin/python3 -c 'import confluent_kafka.avro, avro.schema'",
        "python3", "python3-confluent-kafka", "python3-avro", "python3-requests");
  }

  private static GenericRecord reading() {
    Schema schema = TestSchemas.parse(READING_SCHEMA);
    GenericRecord reading = new GenericData.Record(schema);
    reading.put("sensor", "s-1");
    reading.put("value", 21.5d);
    reading.put("count", 3);
    reading.put("total", 12_345_678_901L);
    reading.put("ratio", 0.5f);
    reading.put("ok", true);
    reading.put("tags", List.of("a", "b"));
    reading.put("attrs", Map.of("x", 1L));
    reading.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "DIGITAL"));
    reading.put("note", "hi");
    reading.put("payload", ByteBuffer.wrap(new byte[] {0x00, (byte) 0xFF, 0x10}));
    reading.put("checksum", new GenericData.Fixed(schema.getField("checksum").schema(),
        HexFormat.of().parseHex("deadbeef")));
    return reading;
  }

  private static GenericRecord order(Schema schema, String id, long amount) {
    GenericRecord order = new GenericData.Record(schema);
    order.put("id", id);
    order.put("amount", amount);
    if (schema.getField("currency") != null) {
      order.put("currency", "CHF");
    }
    return order;
  }

  /** Runs the Python side with {@code request} on stdin; returns what it printed. */
  private static JsonNode runPython(ObjectNode request) throws Exception {
    File stderr = File.createTempFile("confluent-interop", ".err");
    try {
      Process python = new ProcessBuilder(PYTHON, SCRIPTS.resolve("confluent_interop.py").toString())
          .redirectError(stderr).start();
      try (OutputStream in = python.getOutputStream()) {
        in.write(JSON.writeValueAsBytes(request));
      }
      byte[] stdout = python.getInputStream().readAllBytes();
      if (!python.waitFor(2, TimeUnit.MINUTES)) {
        python.destroyForcibly();
        fail("Confluent's Python client did not finish in 2 minutes:\n" + Files.readString(stderr.toPath()));
      }
      if (python.exitValue() != 0) {
        fail("Confluent's Python client failed (exit " + python.exitValue() + "):\n"
            + Files.readString(stderr.toPath()) + "\nstdout: " + new String(stdout, StandardCharsets.UTF_8));
      }
      return JSON.readTree(stdout);
    } finally {
      Files.deleteIfExists(stderr.toPath());
    }
  }

  @Test
  void confluentsClientAndWeftReadEachOthersSchemasAndBytes() throws Exception {
    Assumptions.assumeFalse(SKIP, "skipped on request (-Dweft.interop.skip=true): Confluent's Python client was"
        + " not run");
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
        RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).build()) {
      Map<String, Object> configs = Map.of(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
      AvroSerializer serializer = new AvroSerializer(client, configs, false);
      AvroDeserializer deserializer = new AvroDeserializer(client, configs, false);

      // Weft's side first: two versions of an order schema, and a reading of every Avro type.
      byte[] weftOrderV1 = serializer.serialize("weft-orders", order(TestSchemas.orderV1(), "w-1", 10));
      byte[] weftOrderV2 = serializer.serialize("weft-orders", order(TestSchemas.orderV2(), "w-2", 20));
      int orderV1Id = ByteBuffer.wrap(weftOrderV1, 1, 4).getInt();
      int orderV2Id = ByteBuffer.wrap(weftOrderV2, 1, 4).getInt();
      byte[] weftReading = serializer.serialize("readings", reading());

      ObjectNode request = JSON.createObjectNode().put("url", registry.url())
          .put("weft_order_subject", "weft-orders-value").put("weft_order_id", orderV1Id)
          .put("weft_order_v2_hex", HexFormat.of().formatHex(weftOrderV2))
          .put("weft_reading_hex", HexFormat.of().formatHex(weftReading))
          .put("order_v1", TestSchemas.ORDER_V1).put("order_v2", TestSchemas.ORDER_V2)
          .put("order_breaking", TestSchemas.ORDER_BREAKING)
          .put("python_subject", "python-shipments-value").put("python_schema", SHIPMENT_SCHEMA)
          .put("reading_topic", "readings").put("reading_schema", READING_SCHEMA)
          .put("python_order_topic", "python-orders");
      request.set("reading", JSON.readTree(READING_JSON));

      JsonNode python = runPython(request);

      // (1) A schema Weft registered, read by Confluent's client.
      assertEquals(TestSchemas.orderV1(), TestSchemas.parse(python.path("legacy_get_by_id").asText()));
      assertEquals(orderV2Id, python.path("legacy_latest").path("id").asInt());
      assertEquals(2, python.path("legacy_latest").path("version").asInt());
      assertEquals(TestSchemas.orderV2(), TestSchemas.parse(python.path("legacy_latest").path("schema").asText()));
      assertEquals(2, python.path("legacy_get_version").asInt());
      assertEquals("BACKWARD", python.path("legacy_compatibility").asText());

      // (2) A schema Confluent's client registered, read by Weft.
      int shipmentId = python.path("py_id").asInt();
      assertEquals(TestSchemas.parse(SHIPMENT_SCHEMA), client.schemaById(shipmentId));
      assertEquals(shipmentId, client.latest("python-shipments-value").id());
      assertEquals(1, client.lookup("python-shipments-value", TestSchemas.parse(SHIPMENT_SCHEMA)).version());

      // (3) Bytes Weft serialized, decoded by Confluent's serializer, also into the older reader schema.
      assertEquals(JSON.readTree(READING_JSON), python.path("decoded_weft_reading"));
      assertEquals(JSON.readTree("{\"id\":\"w-2\",\"amount\":20}"), python.path("decoded_weft_order_v2_as_v1"));

      // (4) Bytes Confluent's serializer wrote, decoded by Weft: the very bytes Weft writes for the same reading,
      // under the same id, since the registry gave the same schema the same id.
      byte[] pythonReading = HexFormat.of().parseHex(python.path("py_reading_hex").asText());
      assertEquals(HexFormat.of().formatHex(weftReading), HexFormat.of().formatHex(pythonReading));
      assertEquals(reading().toString(), deserializer.deserialize("readings", pythonReading).toString());
      byte[] pythonOrder = HexFormat.of().parseHex(python.path("py_order_v1_hex").asText());
      AvroDeserializer v2Reader = new AvroDeserializer(client, Map.of(
          SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url(),
          AvroSerdeConfig.VALUE_READER_SCHEMA_CONFIG, TestSchemas.ORDER_V2), false);
      GenericRecord upgraded = (GenericRecord) v2Reader.deserialize("python-orders", pythonOrder);
      assertEquals("py-1", upgraded.get("id").toString());
      assertEquals(7L, upgraded.get("amount"));
      assertEquals("EUR", upgraded.get("currency").toString());

      // The rest of the REST API through Confluent's newer client, error codes included.
      assertEquals(JSON.readTree("[\"python-orders-value\",\"python-shipments-value\",\"readings-value\","
          + "\"weft-orders-value\"]"), python.path("sr_subjects"));
      assertEquals(JSON.readTree("[1,2]"), python.path("sr_versions"));
      assertEquals(TestSchemas.orderV1(), TestSchemas.parse(python.path("sr_schema_by_id").asText()));
      assertEquals(2, python.path("sr_lookup").asInt());
      assertEquals(orderV1Id, python.path("sr_version_1_id").asInt());
      assertTrue(python.path("sr_compatible_v2").asBoolean());
      assertFalse(python.path("sr_compatible_breaking").asBoolean());
      assertEquals("FULL", python.path("sr_set_compatibility").path("compatibility").asText());
      assertEquals("FULL", python.path("sr_get_compatibility").asText());
      assertEquals(orderV1Id, python.path("sr_odd_subject_id").asInt(), "the same schema keeps its id");
      assertEquals(JSON.readTree("[1]"), python.path("sr_odd_versions"));
      assertEquals(JSON.readTree("[1]"), python.path("sr_deleted"));
      assertFalse(client.subjects().contains("py/odd subject"));
      JsonNode errors = python.path("sr_errors");
      assertEquals(JSON.readTree("[404,40401]"), errors.path("unknown_subject"));
      assertEquals(JSON.readTree("[404,40402]"), errors.path("unknown_version"));
      assertEquals(JSON.readTree("[404,40403]"), errors.path("unknown_id"));
      assertEquals(JSON.readTree("[409,40901]"), errors.path("incompatible"));
      assertEquals(JSON.readTree("[422,42201]"), errors.path("invalid_schema"));
      assertEquals(JSON.readTree("[422,42203]"), errors.path("invalid_level"));
    }
  }

  static {
    // Fail early and clearly when the tests run from another directory than the module's.
    if (!Files.isDirectory(SCRIPTS)) {
      throw new IllegalStateException("run from the schema-registry module directory: " + SCRIPTS.toAbsolutePath()
          + " is missing");
    }
  }

}
