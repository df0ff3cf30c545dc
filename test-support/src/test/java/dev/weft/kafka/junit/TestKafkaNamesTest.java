package dev.weft.kafka.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

@WithKafka
class TestKafkaNamesTest {
  private static final Set<String> NAMES_OF_REPEATED_TESTS = ConcurrentHashMap.newKeySet();
  private static String classTopic;
  private String beforeEachTopic;

  @BeforeAll
  static void nameATopicForTheClass(TestKafka kafka) {
    classTopic = kafka.topic("shared");
  }

  @BeforeEach
  void nameATopicBeforeEachTest(TestKafka kafka) {
    beforeEachTopic = kafka.topic("shared");
  }

  @RepeatedTest(3)
  void eachTestGetsNamesOfItsOwn(TestKafka kafka) {
    assertTrue(NAMES_OF_REPEATED_TESTS.add(kafka.topic("shared")), "a name no earlier repetition had");
  }

  @Test
  void aTestAndItsBeforeEachShareNamesTheClassDoesNot(TestKafka kafka) {
    assertEquals(beforeEachTopic, kafka.topic("shared"));
    assertNotEquals(classTopic, kafka.topic("shared"));
  }

  @Test
  void namesSayWhatAndWhoseTheyAre(TestKafka kafka) {
    String name = kafka.uniqueName("orders_v2.in");
    assertTrue(name.startsWith("orders_v2.in-TestKafkaNamesTest-namesSayWhatAndWhoseTheyAre-"), name);
    assertTrue(name.matches("[A-Za-z0-9._-]+"), name);
  }

  @Test
  void namesStayWithinKafkasLimitAndKeepTheirUniqueEnd(TestKafka kafka) {
    String name = kafka.topic("x".repeat(300));
    assertEquals(249, name.length());
    assertTrue(name.endsWith(kafka.topic("y").substring(kafka.topic("y").length() - 9)), name);
  }

  @Test
  void aBaseWithCharactersKafkaRefusesIsRejected(TestKafka kafka) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> kafka.topic("my topic"));
    assertTrue(error.getMessage().contains("'my topic'"), error.getMessage());
    assertThrows(IllegalArgumentException.class, () -> kafka.topic(""));
    assertThrows(IllegalArgumentException.class, () -> kafka.createTopic("none", 0));
  }
}
