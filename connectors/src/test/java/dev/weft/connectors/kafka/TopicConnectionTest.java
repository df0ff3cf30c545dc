package dev.weft.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.Signature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a connection may hold, and how a JVM's local settings join it; no broker needed. */
class TopicConnectionTest {
  private static final LocalSettings NO_LOCAL_SETTINGS = LocalSettings.load(Map.of(), null);

  @TempDir
  Path temp;

  @ParameterizedTest
  @ValueSource(strings = {"sasl.jaas.config", "ssl.key.password", "ssl.keystore.password", "ssl.keystore.key",
      "ssl.truststore.password", "basic.auth.user.info", "bearer.auth.token", "request.header.Authorization",
      "sasl.oauthbearer.client.credentials.client.secret", "SASL.JAAS.CONFIG"})
  void aSecretIsRefusedWhereTheSourceOrSinkIsMadeAndByTheFunctions(String key) {
    Map<String, Object> connection = Map.of("bootstrap.servers", "kafka:9092", key, "hunter2");

    IllegalArgumentException source = assertThrows(IllegalArgumentException.class,
        () -> KafkaTopics.source(connection, "orders", TopicFormat.JSON));
    assertEquals("Kafka connection property '" + key + "' holds a secret, and the connection travels in the graph "
        + "(to every worker, and through Kafka on the broker scheduler): configure it where the tasks run instead, "
        + "in the file named by weft.connectors.kafka.config or WEFT_CONNECTORS_KAFKA_CONFIG, or the environment "
        + "variable WEFT_CONNECTORS_KAFKA_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'),
        source.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KafkaTopics.sink(connection, "orders", TopicFormat.JSON));
    // A graph need not come from KafkaTopics: the worker refuses it too.
    assertThrows(IllegalArgumentException.class, () -> TopicTesting.FUNCTIONS.require(TopicFunctions.READ)
        .apply(connection, "orders", 0L, 0L, 10L, "json"));
    assertThrows(IllegalArgumentException.class, () -> TopicTesting.FUNCTIONS.require(TopicFunctions.WRITE)
        .apply(connection, "orders", "json", List.of("x")));
  }

  @Test
  void aUrlWithAUserAndPasswordIsRefused() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> TopicConnection.check(Map.of("schema.registry.url", "https://weft:s3cret@registry:8081")));
    assertTrue(refused.getMessage().startsWith("Kafka connection property 'schema.registry.url' holds a secret"),
        refused.getMessage());
    assertTrue(refused.getMessage().endsWith("(a URL without the user and password, and the credentials in their "
        + "own property)"), refused.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"interceptor.classes", "sasl.login.callback.handler.class", "partitioner.class",
      "ssl.engine.factory.class", "metric.reporters", "sasl.kerberos.kinit.cmd", "config.providers",
      "config.providers.file.class", "value.deserializer", "value.subject.name.strategy"})
  void aPropertyThatChoosesCodeToRunIsRefused(String key) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> TopicConnection.check(Map.of(key, "com.example.Anything")));
    assertTrue(refused.getMessage().startsWith("Kafka connection property '" + key + "' names a class to load or a "
        + "command to run, which a graph may not choose for the workers"), refused.getMessage());
  }

  @Test
  void theConnectionTravelsAsStringsInKeyOrder() {
    Map<String, Object> checked = TopicConnection.check(Map.of("linger.ms", 5, "bootstrap.servers", "kafka:9092",
        "enable.metrics.push", false, "value.subject.name.strategy", "record"));
    assertEquals(List.of("bootstrap.servers", "enable.metrics.push", "linger.ms", "value.subject.name.strategy"),
        List.copyOf(checked.keySet()));
    assertEquals(Map.of("bootstrap.servers", "kafka:9092", "enable.metrics.push", "false", "linger.ms", "5",
        "value.subject.name.strategy", "record"), checked);
    IllegalArgumentException notScalar = assertThrows(IllegalArgumentException.class,
        () -> TopicConnection.check(Map.of("bootstrap.servers", List.of("a:9092"))));
    assertEquals("Kafka connection property 'bootstrap.servers' must be a string, number or boolean, not a list",
        notScalar.getMessage());
  }

  @Test
  void localSettingsComeFromTheFileAndTheEnvironmentWhichWins() throws Exception {
    Path file = temp.resolve("kafka.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nbootstrap.servers=kafka:9093\n");
    Map<String, String> environment = Map.of("WEFT_CONNECTORS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG", "login;", "WEFT_CONNECTORS_KAFKA_CONFIG", file.toString(),
        "PATH", "/bin");

    LocalSettings local = LocalSettings.load(environment, null);

    assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
        "login;", "bootstrap.servers", "kafka:9093"), local.values());
    assertEquals("the file " + file + " and the environment variables WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG, "
        + "WEFT_CONNECTORS_KAFKA_SASL_MECHANISM", local.origin());
  }

  @Test
  void aLocalSettingsFileThatCannotBeReadIsNamed() {
    Path missing = temp.resolve("missing.properties");
    java.io.UncheckedIOException unreadable = assertThrows(java.io.UncheckedIOException.class,
        () -> LocalSettings.load(Map.of(), missing.toString()));
    assertTrue(unreadable.getMessage().startsWith("cannot read the Kafka connector settings file " + missing),
        unreadable.getMessage());
  }

  @Test
  void localSettingsWinOverTheConnectionButOnlyForTheClusterTheyName() {
    LocalSettings local = LocalSettings.load(Map.of("WEFT_CONNECTORS_KAFKA_BOOTSTRAP_SERVERS", "b:9092, a:9092",
        "WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG", "login;", "WEFT_CONNECTORS_KAFKA_SECURITY_PROTOCOL",
        "SASL_PLAINTEXT"), null);

    ClientSettings settings = TopicConnection.resolve(Map.of("bootstrap.servers", "a:9092,b:9092",
        "security.protocol", "PLAINTEXT", "linger.ms", 5), local);
    assertEquals("SASL_PLAINTEXT", settings.clients().get("security.protocol"));
    assertEquals("login;", settings.clients().get("sasl.jaas.config"));
    assertEquals("5", settings.clients().get("linger.ms"));

    IllegalArgumentException elsewhere = assertThrows(IllegalArgumentException.class,
        () -> TopicConnection.resolve(Map.of("bootstrap.servers", "evil:9092"), local));
    assertTrue(elsewhere.getMessage().startsWith("the Kafka connection names bootstrap.servers 'evil:9092', but "
        + "this JVM's Kafka connector settings (the environment variables WEFT_CONNECTORS_KAFKA_BOOTSTRAP_SERVERS, "
        + "WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG, WEFT_CONNECTORS_KAFKA_SECURITY_PROTOCOL) are for 'b:9092, "
        + "a:9092'"), elsewhere.getMessage());
  }

  @Test
  void localCredentialsMustNameTheServersTheyAreFor() {
    LocalSettings kafkaCredentials = LocalSettings.load(Map.of("WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG", "login;"),
        null);
    IllegalArgumentException noCluster = assertThrows(IllegalArgumentException.class,
        () -> TopicConnection.resolve(Map.of("bootstrap.servers", "kafka:9092"), kafkaCredentials));
    assertTrue(noCluster.getMessage().contains("hold credentials but no bootstrap.servers"), noCluster.getMessage());

    LocalSettings registryCredentials = LocalSettings.load(Map.of("WEFT_CONNECTORS_KAFKA_BASIC_AUTH_USER_INFO",
        "weft:s3cret", "WEFT_CONNECTORS_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"), null);
    IllegalArgumentException noRegistry = assertThrows(IllegalArgumentException.class,
        () -> TopicConnection.resolve(Map.of(), registryCredentials));
    assertTrue(noRegistry.getMessage().contains("hold schema registry credentials but no schema.registry.url"),
        noRegistry.getMessage());
  }

  @Test
  void theConnectorsOwnSettingsAreReadAndNotPassedToTheClients() {
    ClientSettings defaults = TopicConnection.resolve(Map.of("bootstrap.servers", "kafka:9092"), NO_LOCAL_SETTINGS);
    assertEquals(TopicConnection.READ_MAX_BYTES_DEFAULT, defaults.readMaxBytes());
    assertEquals(TopicConnection.READ_TIMEOUT_MS_DEFAULT, defaults.readTimeoutMs());
    assertEquals(IsolationLevel.READ_COMMITTED, defaults.isolation());

    ClientSettings settings = TopicConnection.resolve(Map.of("bootstrap.servers", "kafka:9092",
        TopicConnection.READ_MAX_BYTES_CONFIG, 1024, TopicConnection.READ_TIMEOUT_MS_CONFIG, "5000",
        "isolation.level", "read_uncommitted"), NO_LOCAL_SETTINGS);
    assertEquals(1024, settings.readMaxBytes());
    assertEquals(5000, settings.readTimeoutMs());
    assertEquals(IsolationLevel.READ_UNCOMMITTED, settings.isolation());
    assertFalse(settings.clients().keySet().stream().anyMatch(key -> key.startsWith("weft.")),
        settings.clients().toString());
    assertEquals("none", settings.consumer().get("auto.offset.reset"));
    assertEquals("all", settings.producer().get("acks"));

    IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, () -> TopicConnection
        .resolve(Map.of(TopicConnection.READ_MAX_BYTES_CONFIG, "lots"), NO_LOCAL_SETTINGS));
    assertEquals("Kafka connection setting weft.kafka.read.max.bytes must be a positive integer, not 'lots'",
        notANumber.getMessage());
  }

  @Test
  void theFunctionsAreRegisteredUnderStableNamesWithTheirSignatures() {
    assertEquals(Signature.parse("(map, string, long, long, long, string) -> list"),
        TopicTesting.FUNCTIONS.signature("weft.kafka.read"));
    assertEquals(Signature.parse("(map, string, string, list) -> long"),
        TopicTesting.FUNCTIONS.signature("weft.kafka.write"));
    assertEquals(Signature.parse("(map, string, string, list) -> long"),
        TopicTesting.FUNCTIONS.signature("weft.kafka.write_avro"));
    assertEquals("kafka-topics", TopicTesting.FUNCTIONS.moduleOf("weft.kafka.read"));
  }

  @Test
  void argumentsOutOfBoundsAreRefusedBeforeConnecting() {
    IllegalArgumentException notARange = assertThrows(IllegalArgumentException.class, () -> TopicTesting.FUNCTIONS
        .require(TopicFunctions.READ).apply(Map.of(), "orders", 0L, 10L, 5L, "json"));
    assertEquals("weft.kafka.read: offsets 10-5 of topic 'orders' partition 0 are not a range (0 <= from <= to)",
        notARange.getMessage());
    IllegalArgumentException format = assertThrows(IllegalArgumentException.class, () -> TopicTesting.FUNCTIONS
        .require(TopicFunctions.READ).apply(Map.of(), "orders", 0L, 0L, 5L, "xml"));
    assertEquals("unknown topic format 'xml' (formats: avro, json, string, bytes)", format.getMessage());
    IllegalArgumentException schemaForJson = assertThrows(IllegalArgumentException.class,
        () -> KafkaTopics.sink(Map.of(), "orders", TopicFormat.JSON).withRecordSchema(TopicTesting.ORDER));
    assertEquals("a record schema is for avro topics; topic 'orders' is written as json", schemaForJson.getMessage());
  }
}
