package dev.weft.registry.embedded;

import static dev.weft.registry.TestSchemas.orderBreaking;
import static dev.weft.registry.TestSchemas.orderV1;
import static dev.weft.registry.TestSchemas.orderV2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.CompatibilityResult;
import dev.weft.registry.RawHttp;
import dev.weft.registry.RegisteredSchema;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.TestSchemas;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every REST call of the client against the embedded registry, with Confluent's answers and error codes. */
class EmbeddedRegistryRestTest {
  private EmbeddedSchemaRegistry registry;
  private RestSchemaRegistryClient client;
  private RawHttp http;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    // No retries: an error answer here is the registry's, and must reach the test as it is.
    client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).build();
    http = new RawHttp(registry.url());
  }

  @AfterEach
  void stop() {
    client.close();
    registry.close();
  }

  private static SchemaRegistryException fails(int status, int errorCode, Executable call) {
    SchemaRegistryException e = assertThrows(SchemaRegistryException.class, call);
    assertEquals(status, e.status(), e.getMessage());
    assertEquals(errorCode, e.errorCode(), e.getMessage());
    return e;
  }

  @Test
  void listensOnLoopbackAndAnswersInTheRegistryContentType() {
    assertTrue(registry.url().startsWith("http://127.0.0.1:"), registry.url());
    RawHttp.Response root = http.get("/");
    assertEquals(200, root.status());
    assertEquals("application/vnd.schemaregistry.v1+json", root.contentType());
    assertEquals("[\"AVRO\"]", http.get("/schemas/types").body());
    assertEquals("READWRITE", http.get("/mode").json().path("mode").asText());
  }

  @Test
  void registeringTheSameSchemaAgainReturnsTheSameIdAndNoNewVersion() {
    int id = client.register("orders-value", orderV1());
    Schema reformatted = TestSchemas.parse(TestSchemas.ORDER_V1.replace(",", ",\n  "));
    assertEquals(id, client.register("orders-value", reformatted));
    // Through plain HTTP too, so no client cache is involved.
    assertEquals(id, http.send("POST", "/subjects/orders-value/versions",
        RawHttp.schemaBody(TestSchemas.ORDER_V1.replace(":", " : "))).json().path("id").asInt());
    assertEquals(List.of(1), client.versions("orders-value"));
  }

  @Test
  void idsAreGlobalAndTheSameSchemaKeepsItsIdUnderAnotherSubject() {
    int first = client.register("a-value", TestSchemas.named("A"));
    int second = client.register("b-value", TestSchemas.named("B"));
    assertNotEquals(first, second);
    assertEquals(first, client.register("c-value", TestSchemas.named("A")));
    assertEquals(1, client.lookup("c-value", TestSchemas.named("A")).version());
  }

  @Test
  void normalizeMatchesSchemasThatDifferOnlyInTheOrderOfTheirProperties() {
    String abText = "{\"type\":\"record\",\"name\":\"P\",\"x-a\":1,\"x-b\":2,\"fields\":[]}";
    String baText = "{\"type\":\"record\",\"name\":\"P\",\"x-b\":2,\"x-a\":1,\"fields\":[]}";
    // Plain HTTP: the client's cache holds Avro schemas, and Avro finds these two equal.
    assertNotEquals(http.send("POST", "/subjects/plain/versions", RawHttp.schemaBody(abText)).json().path("id"),
        http.send("POST", "/subjects/plain/versions", RawHttp.schemaBody(baText)).json().path("id"));
    Schema ab = TestSchemas.parse(abText);
    Schema ba = TestSchemas.parse(baText);
    int normalized = client.register("normalized", ab, true);
    assertEquals(normalized, client.register("normalized", ba, true));
    assertEquals(normalized, client.lookup("normalized", ba, true).id());
    assertEquals(List.of(1), client.versions("normalized"));
  }

  @Test
  void lookupFindsTheVersionOfASchemaOrSaysWhatIsMissing() {
    int id = client.register("orders-value", orderV1());
    client.register("orders-value", orderV2());
    RegisteredSchema found = client.lookup("orders-value", orderV1());
    assertEquals(new RegisteredSchema("orders-value", id, 1, orderV1()), found);
    fails(404, 40401, () -> client.lookup("no-such-subject", orderV1()));
    fails(404, 40403, () -> client.lookup("orders-value", TestSchemas.named("Other")));
  }

  @Test
  void schemaByIdAndItsSubjectsAndVersions() {
    int id = client.register("orders-value", orderV1());
    client.register("archive-value", orderV1());
    assertEquals(orderV1(), client.schemaById(id));
    assertEquals(orderV1(), TestSchemas.parse(http.get("/schemas/ids/" + id + "/schema").body()));
    assertEquals("[\"archive-value\",\"orders-value\"]", http.get("/schemas/ids/" + id + "/subjects").body());
    assertEquals("[{\"subject\":\"archive-value\",\"version\":1},{\"subject\":\"orders-value\",\"version\":1}]",
        http.get("/schemas/ids/" + id + "/versions").body());
    SchemaRegistryException e = fails(404, 40403, () -> client.schemaById(999));
    assertEquals("Schema 999 not found", e.registryMessage());
  }

  @Test
  void subjectsVersionsAndLatest() {
    assertEquals(List.of(), client.subjects());
    int v1 = client.register("orders-value", orderV1());
    int v2 = client.register("orders-value", orderV2());
    client.register("b-key", Schema.create(Schema.Type.STRING));
    assertEquals(List.of("b-key", "orders-value"), client.subjects());
    assertEquals(List.of(1, 2), client.versions("orders-value"));
    assertEquals(new RegisteredSchema("orders-value", v1, 1, orderV1()), client.version("orders-value", 1));
    assertEquals(new RegisteredSchema("orders-value", v2, 2, orderV2()), client.latest("orders-value"));
    assertEquals(orderV2(), TestSchemas.parse(http.get("/subjects/orders-value/versions/latest/schema").body()));
    assertEquals(2, http.get("/subjects/orders-value/versions/-1").json().path("version").asInt());
    fails(404, 40401, () -> client.versions("none"));
    fails(404, 40401, () -> client.latest("none"));
    fails(404, 40402, () -> client.version("orders-value", 3));
    fails(422, 42202, () -> client.version("orders-value", 0));
    assertEquals(42202, http.get("/subjects/orders-value/versions/first").errorCode());
  }

  @Test
  void subjectNamesAreEncodedAndDecodedAsPathSegments() {
    String subject = "team/orders value+ü";
    int id = client.register(subject, orderV1());
    assertEquals(List.of(subject), client.subjects());
    assertEquals(id, client.latest(subject).id());
    assertEquals(subject, client.lookup(subject, orderV1()).subject());
  }

  @Test
  void anIncompatibleSchemaIsRefusedWith409And40901() {
    client.register("orders-value", orderV1());
    SchemaRegistryException e = fails(409, 40901, () -> client.register("orders-value", orderBreaking()));
    assertTrue(e.registryMessage().contains("incompatible with an earlier schema for subject \"orders-value\""),
        e.registryMessage());
    assertTrue(e.registryMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.registryMessage());
    assertEquals(List.of(1), client.versions("orders-value"));
    client.setCompatibility("orders-value", CompatibilityLevel.NONE);
    client.register("orders-value", orderBreaking());
    assertEquals(List.of(1, 2), client.versions("orders-value"));
  }

  @Test
  void compatibilityTestsAnswerVerboselyWhenAsked() {
    client.register("orders-value", orderV1());
    assertEquals(new CompatibilityResult(true, List.of()),
        client.testCompatibility("orders-value", orderV2(), true));
    CompatibilityResult quiet = client.testCompatibility("orders-value", orderBreaking(), false);
    assertEquals(new CompatibilityResult(false, List.of()), quiet);
    CompatibilityResult verbose = client.testCompatibility("orders-value", orderBreaking(), true);
    assertFalse(verbose.compatible());
    assertTrue(verbose.messages().stream().anyMatch(m -> m.contains("READER_FIELD_MISSING_DEFAULT_VALUE")),
        verbose.messages().toString());
    assertTrue(verbose.messages().contains("{compatibility: 'BACKWARD'}"), verbose.messages().toString());
    assertTrue(client.testCompatibility("orders-value", "1", orderV2(), false).compatible());
    assertTrue(client.testCompatibility("new-subject", orderBreaking(), false).compatible());
    fails(404, 40402, () -> client.testCompatibility("orders-value", "7", orderV2(), false));
    fails(422, 42202, () -> client.testCompatibility("orders-value", "x", orderV2(), false));
    assertTrue(http.send("POST", "/compatibility/subjects/orders-value/versions", RawHttp.schemaBody(
        TestSchemas.ORDER_V2)).json().path("is_compatible").asBoolean());
  }

  @Test
  void transitiveLevelsCheckEveryEarlierVersion() {
    Schema v1 = TestSchemas.parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
        + "\"type\":\"int\"}]}");
    Schema v2 = TestSchemas.parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
        + "\"type\":\"int\",\"default\":0},{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}");
    Schema v3 = TestSchemas.parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"b\","
        + "\"type\":\"int\"}]}"); // reads v2 data (b is there), not v1 data (b is missing and has no default)
    client.register("r", v1);
    client.register("r", v2);
    assertTrue(client.testCompatibility("r", v3, false).compatible());
    client.setCompatibility("r", CompatibilityLevel.BACKWARD_TRANSITIVE);
    CompatibilityResult transitive = client.testCompatibility("r", v3, true);
    assertFalse(transitive.compatible());
    assertTrue(transitive.messages().contains("{oldSchemaVersion: 1}"), transitive.messages().toString());
    fails(409, 40901, () -> client.register("r", v3));
  }

  @Test
  void compatibilityLevelsGlobalAndPerSubject() {
    assertEquals(CompatibilityLevel.BACKWARD, client.compatibility());
    assertEquals(CompatibilityLevel.BACKWARD, client.compatibility("orders-value"));
    RawHttp.Response unset = http.get("/config/orders-value");
    assertEquals(404, unset.status());
    assertEquals(40408, unset.errorCode());

    assertEquals(CompatibilityLevel.FULL, client.setCompatibility(CompatibilityLevel.FULL));
    assertEquals(CompatibilityLevel.FULL, client.compatibility());
    assertEquals(CompatibilityLevel.FULL, client.compatibility("orders-value"));
    assertEquals(CompatibilityLevel.FORWARD_TRANSITIVE,
        client.setCompatibility("orders-value", CompatibilityLevel.FORWARD_TRANSITIVE));
    assertEquals(CompatibilityLevel.FORWARD_TRANSITIVE, client.compatibility("orders-value"));
    assertEquals("FORWARD_TRANSITIVE", http.get("/config/orders-value").json().path("compatibilityLevel").asText());

    RawHttp.Response invalid = http.send("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
    assertEquals(422, invalid.status());
    assertEquals(42203, invalid.errorCode());
    assertEquals("full", http.send("PUT", "/config/other", "{\"compatibility\":\"full\"}").json()
        .path("compatibility").asText().toLowerCase());
    assertEquals("FORWARD_TRANSITIVE", http.send("DELETE", "/config/orders-value", null).json()
        .path("compatibilityLevel").asText());
    assertEquals(CompatibilityLevel.FULL, client.compatibility("orders-value"));
    assertEquals("FULL", http.send("DELETE", "/config", null).json().path("compatibilityLevel").asText());
    assertEquals(CompatibilityLevel.BACKWARD, client.compatibility());
  }

  @Test
  void invalidSchemasAreRefusedWith42201() {
    for (String body : List.of(RawHttp.schemaBody("{\"type\":\"record\",\"name\":\"R\"}"),
        RawHttp.schemaBody("not json"), RawHttp.schemaBody("{\"type\":\"record\",\"name\":\"R\",\"fields\":"
            + "[{\"name\":\"a\",\"type\":\"int\",\"default\":\"zero\"}]}"), "{}",
        "{\"schema\":\"\\\"int\\\"\",\"schemaType\":\"PROTOBUF\"}",
        "{\"schema\":\"\\\"int\\\"\",\"references\":[{\"name\":\"x\",\"subject\":\"y\",\"version\":1}]}")) {
      RawHttp.Response response = http.send("POST", "/subjects/s/versions", body);
      assertEquals(422, response.status(), body + " -> " + response.body());
      assertEquals(42201, response.errorCode(), body + " -> " + response.body());
    }
    assertEquals(200, http.send("POST", "/subjects/s/versions",
        "{\"schema\":\"\\\"int\\\"\",\"schemaType\":\"AVRO\",\"references\":[]}").status());
  }

  @Test
  void deletesAreSoftThenPermanentAndIdsStayResolvable() {
    int id = client.register("orders-value", orderV1());
    client.register("orders-value", orderV2());
    fails(404, 40405, () -> client.deleteSubject("orders-value", true));
    assertEquals(List.of(1, 2), client.deleteSubject("orders-value", false));
    assertEquals(List.of(), client.subjects());
    fails(404, 40404, () -> client.deleteSubject("orders-value", false));
    assertEquals("[\"orders-value\"]", http.get("/subjects?deleted=true").body());
    assertEquals(orderV1(), client.schemaById(id));
    assertEquals(List.of(1, 2), client.deleteSubject("orders-value", true));
    fails(404, 40401, () -> client.deleteSubject("orders-value", false));
    assertEquals("[]", http.get("/subjects?deleted=true").body());
    // Registering again starts the subject over. The schema's id went with its last version: it gets a new one,
    // and the old id is never given to another schema.
    int again = client.register("orders-value", orderV1());
    assertTrue(again > id, again + " after " + id);
    assertEquals(List.of(1), client.versions("orders-value"));
  }

  @Test
  void versionsAreDeletedOneByOne() {
    client.register("orders-value", orderV1());
    client.register("orders-value", orderV2());
    assertEquals("2", http.send("DELETE", "/subjects/orders-value/versions/latest", null).body());
    assertEquals(List.of(1), client.versions("orders-value"));
    assertEquals(40406, http.send("DELETE", "/subjects/orders-value/versions/2", null).errorCode());
    assertEquals(40407, http.send("DELETE", "/subjects/orders-value/versions/1?permanent=true", null).errorCode());
    // A new version continues after the highest one, soft-deleted ones included, as Confluent's does.
    String v2 = RawHttp.schemaBody(TestSchemas.ORDER_V2);
    http.send("POST", "/subjects/orders-value/versions", v2);
    assertEquals("[1,3]", http.get("/subjects/orders-value/versions").body());
    assertEquals("[1,2,3]", http.get("/subjects/orders-value/versions?deleted=true").body());
    assertEquals("2", http.send("DELETE", "/subjects/orders-value/versions/2?permanent=true", null).body());
    assertEquals(40402, http.get("/subjects/orders-value/versions/2?deleted=true").errorCode());
    assertEquals("[1,3]", http.get("/subjects/orders-value/versions?deleted=true").body());
  }

  @Test
  void malformedRequestsGetErrorsThatSayWhatIsWrong() {
    RawHttp.Response unknownPath = http.get("/nothing/here");
    assertEquals(404, unknownPath.status());
    assertEquals(404, unknownPath.errorCode());
    assertEquals(405, http.send("PATCH", "/subjects", null).status());
    assertEquals(404, http.get("/schemas/ids/abc").status());
    RawHttp.Response notJson = http.send("POST", "/subjects/s/versions", "{\"schema\": ");
    assertEquals(400, notJson.status());
    assertTrue(notJson.json().path("message").asText().contains("not JSON"), notJson.body());
  }

  @Test
  void requestBodiesOverTheLimitAreRefusedWith413() {
    try (EmbeddedSchemaRegistry small = EmbeddedSchemaRegistry.builder().store(new InMemorySchemaStore())
        .maxRequestBytes(4096).start()) {
      String doc = "x".repeat(5000);
      RawHttp.Response response = new RawHttp(small.url()).send("POST", "/subjects/s/versions",
          RawHttp.schemaBody("{\"type\":\"record\",\"name\":\"R\",\"doc\":\"" + doc + "\",\"fields\":[]}"));
      assertEquals(413, response.status());
      assertEquals(413, response.errorCode());
      assertEquals("[]", new RawHttp(small.url()).get("/subjects").body());
    }
  }

  @Test
  void aGivenPortIsUsedAndABusyOneIsReported() {
    int port = registry.port();
    java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
        () -> EmbeddedSchemaRegistry.builder().store(new InMemorySchemaStore()).port(port).start());
    assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + port), e.getMessage());
  }
}
