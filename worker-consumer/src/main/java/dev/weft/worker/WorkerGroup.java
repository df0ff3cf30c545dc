package dev.weft.worker;

import dev.weft.broker.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** What the group of a pool's workers looks like from outside, through Kafka's Admin API. */
public final class WorkerGroup {
  private WorkerGroup() {}

  /** Members of the pool's group that hold partitions now; 0 if the group does not exist yet. */
  public static int activeMembers(Admin admin, Topics topics, String pool) throws InterruptedException {
    String group = topics.workerGroup(pool);
    try {
      ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
      return (int) description.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return 0;
      }
      throw new IllegalStateException("cannot describe the workers' group " + group + ": " + e.getCause(), e);
    }
  }

  /**
   * Waits until {@code members} workers of the pool hold partitions.
   *
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  public static void awaitActive(Admin admin, Topics topics, String pool, int members, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int active;
    while ((active = activeMembers(admin, topics, pool)) != members) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(active + " workers of pool " + (pool == null ? Topics.DEFAULT_POOL : pool)
            + " hold partitions after " + timeout + ", not " + members);
      }
      Thread.sleep(100);
    }
  }
}
