package dev.weft.worker.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition may be committed: tasks finish out of order, and an offset is committed only when
 * every task before it has its result written. Owned by the worker's poll thread.
 */
public final class CommitTracker {
  private final Map<TopicPartition, TreeSet<Long>> unfinished = new HashMap<>();
  private final Map<TopicPartition, Long> nextToRead = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  public void started(TopicPartition partition, long offset) {
    unfinished.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
    nextToRead.merge(partition, offset + 1, Math::max);
  }

  public void finished(TopicPartition partition, long offset) {
    TreeSet<Long> offsets = unfinished.get(partition);
    if (offsets != null) {
      offsets.remove(offset);
    }
  }

  /** Offsets to commit now: per partition, the first unfinished task, or past the last read; only what moved. */
  public Map<TopicPartition, OffsetAndMetadata> toCommit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    nextToRead.forEach((partition, next) -> {
      TreeSet<Long> open = unfinished.get(partition);
      long commit = open == null || open.isEmpty() ? next : open.first();
      if (!Long.valueOf(commit).equals(committed.get(partition))) {
        offsets.put(partition, new OffsetAndMetadata(commit));
      }
    });
    return offsets;
  }

  public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
  }

  /** Forgets a partition that moved to another worker. */
  public void forget(TopicPartition partition) {
    unfinished.remove(partition);
    nextToRead.remove(partition);
    committed.remove(partition);
  }
}
