package dev.weft.kafka.junit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.kafka.Deadline;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Topics a test creates are gone once it ends, so that a long suite does not pile them up on the shared broker. */
@WithKafka
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestKafkaCleanupTest {
  private static String topicOfTheFirstTest;

  @Test
  @Order(1)
  void createsATopic(TestKafka kafka) throws Exception {
    topicOfTheFirstTest = kafka.createTopic("short-lived", 2);
    assertTrue(kafka.admin().listTopics().names().get().contains(topicOfTheFirstTest));
  }

  @Test
  @Order(2)
  void findsItDeletedAfterwards(TestKafka kafka) throws Exception {
    assertNotNull(topicOfTheFirstTest, "the first test ran");
    Deadline deadline = Deadline.in(Duration.ofSeconds(30));
    while (kafka.admin().listTopics().names().get().contains(topicOfTheFirstTest)) {
      deadline.check(() -> topicOfTheFirstTest + " was deleted");
    }
  }
}
