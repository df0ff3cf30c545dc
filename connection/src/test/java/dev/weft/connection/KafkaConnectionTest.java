package dev.weft.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {
  private static final UnaryOperator<String> NOTHING = name -> null;
  private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
      + " username=\"weft\" password=\"s3cret\";";

  @TempDir
  Path folder;

  @Test
  void clientPropertiesHoldTheBootstrapServersAndCannotBeChanged() {
    KafkaConnection connection = KafkaConnection.of(" 127.0.0.1:9092,broker-2:9093 ", Map.of("client.id", "weft"));
    assertEquals("127.0.0.1:9092,broker-2:9093", connection.bootstrapServers());
    assertEquals(Map.of("bootstrap.servers", "127.0.0.1:9092,broker-2:9093", "client.id", "weft"),
        connection.clientProperties());
    assertThrows(UnsupportedOperationException.class, () -> connection.clientProperties().put("acks", "all"));
  }

  @Test
  void extraPropertiesGoIntoANewMapAndWin() {
    KafkaConnection connection = KafkaConnection.of("[::1]:9092", Map.of("client.id", "weft"));
    Map<String, Object> consumer = connection.clientProperties(Map.of("client.id", "reader", "group.id", "g"));
    assertEquals(Map.of("bootstrap.servers", "[::1]:9092", "client.id", "reader", "group.id", "g"), consumer);
    consumer.put("acks", "all");
    assertFalse(connection.clientProperties().containsKey("acks"));
  }

  @Test
  void bootstrapServersMustBeHostPortPairs() {
    for (String bad : new String[] {"", "  ", "localhost", "localhost:", ":9092", "host:port", "host:99999",
        "a:1,,b:2", "host:123456789012"}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> KafkaConnection.of(bad),
          bad);
      assertTrue(error.getMessage().contains("host:port"), error.getMessage());
    }
  }

  @Test
  void nothingConfiguredMeansNoConnection() {
    assertEquals(Optional.empty(), KafkaConnection.fromEnvironment(NOTHING, NOTHING));
  }

  @Test
  void theSystemPropertyWinsOverTheEnvironmentVariable() {
    UnaryOperator<String> properties = Map.of("weft.kafka.bootstrap", "from-property:9092")::get;
    UnaryOperator<String> environment = Map.of("WEFT_KAFKA_BOOTSTRAP", "from-env:9092")::get;
    assertEquals("from-property:9092",
        KafkaConnection.fromEnvironment(properties, environment).orElseThrow().bootstrapServers());
    assertEquals("from-env:9092",
        KafkaConnection.fromEnvironment(NOTHING, environment).orElseThrow().bootstrapServers());
  }

  @Test
  void aPropertiesFileAddsSecuritySettingsAndMayNameTheServers() throws IOException {
    Path file = folder.resolve("client.properties");
    Files.writeString(file, "bootstrap.servers=in-file:9094\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
        + "sasl.jaas.config=" + JAAS + "\n");
    UnaryOperator<String> environment = Map.of("WEFT_KAFKA_PROPERTIES", file.toString())::get;

    KafkaConnection fromFile = KafkaConnection.fromEnvironment(NOTHING, environment).orElseThrow();
    assertEquals("in-file:9094", fromFile.bootstrapServers());
    assertEquals("SASL_SSL", fromFile.clientProperties().get("security.protocol"));
    assertEquals(JAAS, fromFile.clientProperties().get("sasl.jaas.config"));

    UnaryOperator<String> properties = Map.of("weft.kafka.bootstrap", "override:9095")::get;
    KafkaConnection overridden = KafkaConnection.fromEnvironment(properties, environment).orElseThrow();
    assertEquals("override:9095", overridden.clientProperties().get("bootstrap.servers"));
    assertEquals("PLAIN", overridden.clientProperties().get("sasl.mechanism"));
  }

  @Test
  void toStringNeverShowsCredentials() {
    KafkaConnection connection = KafkaConnection.of("broker:9093", Map.of("security.protocol", "SASL_SSL",
        "sasl.jaas.config", JAAS, "ssl.truststore.password", "s3cret"));
    assertEquals("KafkaConnection[broker:9093, SASL_SSL]", connection.toString());
  }

  @Test
  void aMissingPropertiesFileIsNamedInTheError() {
    Path missing = folder.resolve("missing.properties");
    UnaryOperator<String> properties = Map.of("weft.kafka.bootstrap", "broker:9092",
        "weft.kafka.properties", missing.toString())::get;
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> KafkaConnection.fromEnvironment(properties, NOTHING));
    assertTrue(error.getMessage().startsWith("weft.kafka.properties names " + missing + ", which cannot be read"),
        error.getMessage());
  }

  @Test
  void aPropertiesFileWithoutServersNeedsThemFromElsewhere() throws IOException {
    Path file = Files.writeString(folder.resolve("tls.properties"), "security.protocol=SSL\n");
    UnaryOperator<String> properties = Map.of("weft.kafka.properties", file.toString())::get;
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> KafkaConnection.fromEnvironment(properties, NOTHING));
    assertTrue(error.getMessage().contains("has no bootstrap.servers"), error.getMessage());
  }

  @Test
  void badServersAreReportedWithWhereTheyCameFrom() {
    UnaryOperator<String> environment = Map.of("WEFT_KAFKA_BOOTSTRAP", "localhost")::get;
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> KafkaConnection.fromEnvironment(NOTHING, environment));
    assertEquals("WEFT_KAFKA_BOOTSTRAP: bootstrap server 'localhost' in 'localhost' is not host:port",
        error.getMessage());
  }
}
