package dev.weft.kafka.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class KafkaTargetTest {
  private static final UnaryOperator<String> NOTHING = name -> null;

  @Test
  void theEmbeddedBrokerIsTheDefault() {
    assertEquals(KafkaTarget.EMBEDDED, KafkaTarget.CONFIGURED.resolve(NOTHING, NOTHING));
  }

  @Test
  void theSystemPropertyWinsOverTheEnvironmentAndCaseDoesNotMatter() {
    UnaryOperator<String> properties = Map.of("weft.kafka.target", "External")::get;
    UnaryOperator<String> environment = Map.of("WEFT_KAFKA_TARGET", "testcontainers")::get;
    assertEquals(KafkaTarget.EXTERNAL, KafkaTarget.CONFIGURED.resolve(properties, environment));
    assertEquals(KafkaTarget.TESTCONTAINERS, KafkaTarget.CONFIGURED.resolve(NOTHING, environment));
  }

  @Test
  void aClassThatChoosesItsTargetKeepsIt() {
    UnaryOperator<String> properties = Map.of("weft.kafka.target", "external")::get;
    assertEquals(KafkaTarget.TESTCONTAINERS, KafkaTarget.TESTCONTAINERS.resolve(properties, NOTHING));
  }

  @Test
  void anUnknownTargetIsNamedInTheError() {
    UnaryOperator<String> properties = Map.of("weft.kafka.target", "docker")::get;
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> KafkaTarget.CONFIGURED.resolve(properties, NOTHING));
    assertEquals("weft.kafka.target=docker is no Kafka target: expected embedded, testcontainers or external",
        error.getMessage());
    UnaryOperator<String> configured = Map.of("weft.kafka.target", "configured")::get;
    assertThrows(IllegalArgumentException.class, () -> KafkaTarget.CONFIGURED.resolve(configured, NOTHING));
  }
}
