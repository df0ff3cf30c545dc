package dev.weft.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {
  private static final String REGISTERED = "{\"subject\":\"s\",\"version\":1,\"id\":3,\"schema\":\"\\\"string\\\"\"}";

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private static RestSchemaRegistryClient.Builder fastRetries(String... urls) {
    return RestSchemaRegistryClient.builder().baseUrls(List.of(urls))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2));
  }

  @Test
  void aSecondLookupOfWhatCannotChangeMakesNoHttpCall() {
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
        RestSchemaRegistryClient writer = RestSchemaRegistryClient.builder().baseUrl(registry.url()).build();
        RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).build()) {
      int id = writer.register("orders-value", TestSchemas.orderV1());
      writer.register("orders-value", TestSchemas.orderV2());

      long before = registry.requestCount();
      assertEquals(id, client.register("orders-value", TestSchemas.orderV1()));
      assertEquals(TestSchemas.orderV2(), client.schemaById(id + 1));
      assertEquals(1, client.lookup("orders-value", TestSchemas.orderV1()).version());
      assertEquals(2, client.version("orders-value", 2).version());
      assertEquals(2, client.latest("orders-value").version());
      assertEquals(before + 5, registry.requestCount());

      long cached = registry.requestCount();
      assertEquals(id, client.register("orders-value", TestSchemas.orderV1()));
      assertEquals(id, client.register("orders-value", TestSchemas.parse(TestSchemas.ORDER_V1)));
      assertEquals(TestSchemas.orderV2(), client.schemaById(id + 1));
      assertEquals(TestSchemas.orderV1(), client.schemaById(id)); // learnt from the registration
      assertEquals(1, client.lookup("orders-value", TestSchemas.orderV1()).version());
      assertEquals(2, client.version("orders-value", 2).version());
      assertEquals(2, client.latest("orders-value").version());
      assertEquals(cached, registry.requestCount(), "a cached answer went to the registry");

      client.subjects(); // lists are always asked: they change
      assertEquals(cached + 1, registry.requestCount());
    }
  }

  @Test
  void theLatestVersionIsCachedForItsTimeToLiveOnly() {
    ManualClock clock = new ManualClock();
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
        RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(registry.url())
            .latestTtl(Duration.ofSeconds(30)).clock(clock).build()) {
      client.register("orders-value", TestSchemas.orderV1());
      assertEquals(1, client.latest("orders-value").version());
      client.register("orders-value", TestSchemas.orderV2());
      long before = registry.requestCount();
      clock.advance(Duration.ofSeconds(29));
      assertEquals(1, client.latest("orders-value").version(), "cached");
      assertEquals(before, registry.requestCount());
      clock.advance(Duration.ofSeconds(1));
      assertEquals(2, client.latest("orders-value").version(), "expired, so asked again");
      assertEquals(before + 1, registry.requestCount());
    }
  }

  @Test
  void retriesAfter408429And5xxThenSucceeds() {
    try (StubServer stub = new StubServer()) {
      stub.reply(503, "{\"error_code\":50003,\"message\":\"forwarding failed\"}")
          .reply(429, "slow down", Map.of("Retry-After", "0"))
          .reply(408, "")
          .reply(200, "{\"id\":42}");
      try (RestSchemaRegistryClient client = fastRetries(stub.url()).maxRetries(3).build()) {
        assertEquals(42, client.register("s", Schema.create(Schema.Type.STRING)));
      }
      assertEquals(4, stub.received().size());
    }
  }

  @Test
  void givesUpAfterItsRetriesWithTheLastErrorOfTheRegistry() {
    try (StubServer stub = new StubServer()) {
      stub.reply(500, "{\"error_code\":50001,\"message\":\"store down\"}")
          .reply(500, "{\"error_code\":50001,\"message\":\"store down\"}");
      try (RestSchemaRegistryClient client = fastRetries(stub.url()).maxRetries(1).build()) {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));
        assertEquals(500, e.status());
        assertEquals(50001, e.errorCode());
        assertEquals("store down", e.registryMessage());
        assertTrue(e.getMessage().contains("after 2 attempts"), e.getMessage());
      }
      assertEquals(2, stub.received().size());
    }
  }

  @Test
  void errorsThatRetryingCannotFixAreNotRetried() {
    try (StubServer stub = new StubServer()) {
      stub.reply(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}")
          .reply(401, "<html>Unauthorized</html>");
      try (RestSchemaRegistryClient client = fastRetries(stub.url()).maxRetries(5).build()) {
        SchemaRegistryException notFound = assertThrows(SchemaRegistryException.class, () -> client.schemaById(7));
        assertEquals(40403, notFound.errorCode());
        assertEquals("Schema 7 not found", notFound.registryMessage());
        assertTrue(notFound.getMessage().contains("fetching schema id 7"), notFound.getMessage());
        SchemaRegistryException unauthorized = assertThrows(SchemaRegistryException.class, client::subjects);
        assertEquals(401, unauthorized.status());
        assertEquals(401, unauthorized.errorCode(), "a body without error_code: the HTTP status stands in");
        assertEquals("<html>Unauthorized</html>", unauthorized.registryMessage());
      }
      assertEquals(2, stub.received().size());
    }
  }

  @Test
  void failsOverToTheNextUrlWhenOneDoesNotAnswer() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort(); // closed again: nothing listens there
    }
    try (StubServer stub = new StubServer()) {
      stub.reply(200, "[\"a\"]").reply(200, "[\"b\"]");
      try (RestSchemaRegistryClient client = fastRetries("http://127.0.0.1:" + deadPort, stub.url())
          .maxRetries(0).build()) {
        assertEquals(List.of("a"), client.subjects());
        assertEquals(List.of("b"), client.subjects()); // straight to the URL that answered
      }
      assertEquals(2, stub.received().size());
    }
    try (RestSchemaRegistryClient client = fastRetries("http://127.0.0.1:" + deadPort).maxRetries(1).build()) {
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class, client::subjects);
      assertEquals(SchemaRegistryException.NO_RESPONSE, e.status());
      assertTrue(e.getMessage().contains("no answer from http://127.0.0.1:" + deadPort), e.getMessage());
    }
  }

  @Test
  void sendsBasicOrBearerAuthenticationAndExtraHeaders() {
    try (StubServer stub = new StubServer()) {
      stub.reply(200, "[]").reply(200, "[]").reply(200, "[]");
      try (RestSchemaRegistryClient basic = RestSchemaRegistryClient.builder().baseUrl(stub.url())
          .basicAuth("weft", "s3cret").header("X-Tenant", "blue").build()) {
        basic.subjects();
      }
      try (RestSchemaRegistryClient bearer = RestSchemaRegistryClient.builder().baseUrl(stub.url())
          .bearerToken("tok.en").build()) {
        bearer.subjects();
      }
      String withUserInfo = stub.url().replace("http://", "http://user:pass@");
      try (RestSchemaRegistryClient fromUrl = RestSchemaRegistryClient.builder().baseUrl(withUserInfo).build()) {
        fromUrl.subjects();
      }
      List<StubServer.Received> received = stub.received();
      assertEquals("Basic d2VmdDpzM2NyZXQ=", received.get(0).headers().getFirst("Authorization"));
      assertEquals("blue", received.get(0).headers().getFirst("X-Tenant"));
      assertEquals("Bearer tok.en", received.get(1).headers().getFirst("Authorization"));
      assertEquals("Basic dXNlcjpwYXNz", received.get(2).headers().getFirst("Authorization"));
      assertTrue(received.get(0).headers().getFirst("Accept").contains("application/vnd.schemaregistry.v1+json"));
    }
  }

  @Test
  void sendsTheSchemaAsConfluentsRegistryExpectsIt() {
    try (StubServer stub = new StubServer()) {
      stub.reply(200, "{\"id\":5}").reply(200, REGISTERED).reply(200, "{\"is_compatible\":false,\"messages\":"
          + "[\"m\"]}").reply(200, "{\"compatibility\":\"FULL\"}").reply(200, "{\"compatibilityLevel\":\"NONE\"}")
          .reply(200, "[1,2]");
      try (RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(stub.url() + "/").build()) {
        Schema string = Schema.create(Schema.Type.STRING);
        assertEquals(5, client.register("a b/c", string, true));
        assertEquals(new RegisteredSchema("s", 3, 1, string), client.lookup("s", string));
        assertEquals(new CompatibilityResult(false, List.of("m")),
            client.testCompatibility("s", string, true));
        assertEquals(CompatibilityLevel.FULL, client.setCompatibility("s", CompatibilityLevel.FULL));
        assertEquals(CompatibilityLevel.NONE, client.compatibility("s"));
        assertEquals(List.of(1, 2), client.deleteSubject("s", true));
      }
      List<StubServer.Received> received = stub.received();
      assertEquals("POST /subjects/a%20b%2Fc/versions?normalize=true", received.get(0).method() + " "
          + received.get(0).path());
      assertEquals("{\"schema\":\"\\\"string\\\"\"}", received.get(0).body());
      assertEquals("application/vnd.schemaregistry.v1+json", received.get(0).headers().getFirst("Content-Type"));
      assertEquals("POST /subjects/s", received.get(1).method() + " " + received.get(1).path());
      assertEquals("/compatibility/subjects/s/versions/latest?verbose=true", received.get(2).path());
      assertEquals("{\"compatibility\":\"FULL\"}", received.get(3).body());
      assertEquals("/config/s?defaultToGlobal=true", received.get(4).path());
      assertEquals("DELETE /subjects/s?permanent=true", received.get(5).method() + " " + received.get(5).path());
    }
  }

  @Test
  void malformedAnswersAndOversizedAnswersFailClearly() {
    try (StubServer stub = new StubServer()) {
      stub.reply(200, "{\"identifier\":5}").reply(200, "<html>").reply(200, "[\"" + "x".repeat(5000) + "\"]")
          .reply(200, "{\"schema\":\"syntax=proto3;\",\"schemaType\":\"PROTOBUF\"}");
      try (RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(stub.url())
          .maxRetries(0).maxResponseBytes(4096).build()) {
        Schema string = Schema.create(Schema.Type.STRING);
        assertTrue(assertThrows(SchemaRegistryException.class, () -> client.register("s", string)).getMessage()
            .contains("no integer id"));
        assertTrue(assertThrows(SchemaRegistryException.class, client::subjects).getMessage()
            .contains("is not JSON"));
        assertTrue(assertThrows(SchemaRegistryException.class, client::subjects).getMessage()
            .contains("larger than the limit of 4096 bytes"));
        assertTrue(assertThrows(SchemaRegistryException.class, () -> client.schemaById(9)).getMessage()
            .contains("Weft reads Avro schemas only"));
      }
    }
  }

  @Test
  void isConfiguredFromKafkaStyleProperties() {
    try (StubServer stub = new StubServer()) {
      stub.reply(200, "[]");
      try (RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfigs(Map.of(
          SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:1," + stub.url(),
          SchemaRegistryClientConfig.BEARER_AUTH_TOKEN_CONFIG, "t",
          SchemaRegistryClientConfig.REQUEST_HEADER_PREFIX + "X-Trace", "on",
          SchemaRegistryClientConfig.MAX_RETRIES_CONFIG, "0",
          "some.other.serializer.key", "ignored"))) {
        assertEquals(2, client.baseUrls().size());
        assertEquals(List.of(), client.subjects());
      }
      assertEquals("Bearer t", stub.received().get(0).headers().getFirst("Authorization"));
      assertEquals("on", stub.received().get(0).headers().getFirst("X-Trace"));
    }
    assertThrows(ConfigException.class, () -> RestSchemaRegistryClient.fromConfigs(Map.of()));
    assertThrows(ConfigException.class, () -> RestSchemaRegistryClient.fromConfigs(Map.of(
        SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "ftp://nowhere")));
    assertThrows(ConfigException.class, () -> RestSchemaRegistryClient.fromConfigs(Map.of(
        SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://localhost:8081",
        SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO_CONFIG, "u:p",
        SchemaRegistryClientConfig.BEARER_AUTH_TOKEN_CONFIG, "t")));
    assertThrows(ConfigException.class, () -> RestSchemaRegistryClient.fromConfigs(Map.of(
        SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://localhost:8081",
        SchemaRegistryClientConfig.REQUEST_HEADER_PREFIX + "Host", "evil")));
  }
}
