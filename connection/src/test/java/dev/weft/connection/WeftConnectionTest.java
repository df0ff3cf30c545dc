package dev.weft.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeftConnectionTest {
  private static final UnaryOperator<String> NOTHING = name -> null;

  @TempDir
  Path folder;

  /** The properties file's settings reach every client: once, the broker scheduler of the Java API dropped them. */
  @Test
  void theEnvironmentGivesKafkaWithItsPropertiesFileAndTheRegistry() throws Exception {
    Path file = Files.writeString(folder.resolve("client.properties"),
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n");
    Map<String, String> environment = Map.of("WEFT_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
        "WEFT_KAFKA_PROPERTIES", file.toString(), "WEFT_REGISTRY_URL", "http://127.0.0.1:8081");
    assertEquals(Map.of("bootstrap.servers", "127.0.0.1:9092", "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", "PLAIN", "schema.registry.url", "http://127.0.0.1:8081"),
        WeftConnection.fromEnvironment(NOTHING, environment::get));
    assertEquals("http://r:1", WeftConnection.fromEnvironment(Map.of("weft.registry.url", "http://r:1")::get,
        environment::get).get("schema.registry.url"), "a system property wins over its variable");
  }

  @Test
  void whatIsMissingIsNamed() {
    IllegalStateException noRegistry = assertThrows(IllegalStateException.class,
        () -> WeftConnection.fromEnvironment(NOTHING, Map.of("WEFT_KAFKA_BOOTSTRAP", "127.0.0.1:9092")::get));
    assertEquals("where is the schema registry? set weft.registry.url (WEFT_REGISTRY_URL)", noRegistry.getMessage());
    IllegalStateException nothing = assertThrows(IllegalStateException.class,
        () -> WeftConnection.fromEnvironment(NOTHING, NOTHING));
    assertTrue(nothing.getMessage().startsWith("where is Kafka? set weft.kafka.bootstrap (WEFT_KAFKA_BOOTSTRAP)"),
        nothing.getMessage());
  }
}
