package dev.weft.broker.protocol;

/**
 * A {@link TopicAdmin} without a cluster, for unit tests over Kafka's mock clients: every topic exists and takes a
 * mebibyte.
 */
public final class FixedTopicAdmin implements TopicAdmin {
  @Override
  public void createTasksTopic(String pool) {}

  @Override
  public int limitOf(String topic) {
    return 1 << 20;
  }

  @Override
  public String describeLimit(String topic) {
    return "a test's limit";
  }
}
