package dev.weft.broker.protocol;

import java.util.List;

/**
 * What a Weft service asks of Kafka's admin side: the tasks topic of a pool, and how large a record each topic takes.
 * {@link #of} answers from the cluster; a unit test answers without one.
 */
public interface TopicAdmin {
  /** Creates the tasks topic of {@code pool} unless it exists, and learns what it takes; may throw if Kafka is away. */
  void createTasksTopic(String pool);

  /** The largest value Weft may write to {@code topic}, in bytes. */
  int limitOf(String topic);

  /** Where {@link #limitOf}'s figure comes from, for messages: the settings that raise it. */
  String describeLimit(String topic);

  /** Topics created as {@code config} says, and their record limits read from Kafka. */
  static TopicAdmin of(WeftKafkaConfig config, RecordLimits limits) {
    return new TopicAdmin() {
      @Override
      public void createTasksTopic(String pool) {
        config.createTopics(List.of(pool));
        limits.read(List.of(config.topics().tasks(pool)));
      }

      @Override
      public int limitOf(String topic) {
        return limits.of(topic);
      }

      @Override
      public String describeLimit(String topic) {
        return limits.describe(topic);
      }
    };
  }
}
