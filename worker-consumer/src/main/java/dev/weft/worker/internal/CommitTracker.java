package dev.weft.worker.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition may be committed: tasks finish out of order, and an offset is committed only when
 * every task before it has its result written. Owned by the worker's poll thread.
 */
public final class CommitTracker {
  private final Map<TopicPartition, TreeSet<Long>> unfinished = new HashMap<>();
  private final Map<TopicPartition, Long> nextToRead = new HashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();

  public void started(TopicPartition partition, long offset) {
    unfinished.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
    nextToRead.merge(partition, offset + 1, Math::max);
  }

  /** A partition taken over, committed at {@code committed} by its previous owner: nothing of it read yet. */
  public void took(TopicPartition partition, OffsetAndMetadata committed) {
    nextToRead.merge(partition, committed.offset(), Math::max);
    this.committed.put(partition, committed);
  }

  public void finished(TopicPartition partition, long offset) {
    TreeSet<Long> offsets = unfinished.get(partition);
    if (offsets != null) {
      offsets.remove(offset);
    }
  }

  /**
   * Offsets to commit now: per partition, the first unfinished task, or past the last read, with the mark
   * {@code marks} gives for it; only those whose offset or mark changed since they were last committed.
   */
  public Map<TopicPartition, OffsetAndMetadata> toCommit(BiFunction<TopicPartition, Long, String> marks) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    nextToRead.forEach((partition, next) -> {
      TreeSet<Long> open = unfinished.get(partition);
      long commit = open == null || open.isEmpty() ? next : open.first();
      OffsetAndMetadata offset = new OffsetAndMetadata(commit, marks.apply(partition, commit));
      if (!offset.equals(committed.get(partition))) {
        offsets.put(partition, offset);
      }
    });
    return offsets;
  }

  public void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    committed.putAll(offsets);
  }

  /** Forgets a partition that moved to another worker. */
  public void forget(TopicPartition partition) {
    unfinished.remove(partition);
    nextToRead.remove(partition);
    committed.remove(partition);
  }
}
