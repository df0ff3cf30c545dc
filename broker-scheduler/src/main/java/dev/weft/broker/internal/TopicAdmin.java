package dev.weft.broker.internal;

/**
 * What the scheduler's loop asks of Kafka's admin side: the tasks topic of a pool it meets for the first time, and how
 * large a record each topic takes. The service answers from the cluster; a unit test answers without one.
 */
public interface TopicAdmin {
  /** Creates the tasks topic of {@code pool} unless it exists, and learns what it takes; may throw if Kafka is away. */
  void createTasksTopic(String pool);

  /** The largest value Weft may write to {@code topic}, in bytes. */
  int limitOf(String topic);

  /** Where {@link #limitOf}'s figure comes from, for messages: the settings that raise it. */
  String describeLimit(String topic);
}
