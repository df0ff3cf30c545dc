package dev.weft.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What a worker commits: never past a task whose result is not written, and only what changed. */
class CommitTrackerTest {
  private static final TopicPartition P0 = new TopicPartition("weft.tasks.default", 0);
  private static final TopicPartition P1 = new TopicPartition("weft.tasks.default", 1);

  private static Map<TopicPartition, OffsetAndMetadata> unmarked(CommitTracker commits) {
    return commits.toCommit((partition, offset) -> "");
  }

  @Test
  void tasksFinishingOutOfOrderHoldTheCommitAtTheFirstUnfinished() {
    CommitTracker commits = new CommitTracker();
    commits.started(P0, 5);
    commits.started(P0, 6);
    commits.started(P0, 7);
    commits.finished(P0, 7);
    commits.finished(P0, 6);
    assertEquals(Map.of(P0, new OffsetAndMetadata(5, "")), unmarked(commits), "5 runs: 6 and 7 are read again");
    commits.finished(P0, 5);
    assertEquals(Map.of(P0, new OffsetAndMetadata(8, "")), unmarked(commits), "all done: past the last read");
  }

  @Test
  void onlyWhatChangedSinceTheLastCommitIsCommittedAndAFailedCommitIsMadeAgain() {
    CommitTracker commits = new CommitTracker();
    commits.started(P0, 0);
    commits.finished(P0, 0);
    commits.started(P1, 3);
    Map<TopicPartition, OffsetAndMetadata> first = unmarked(commits);
    assertEquals(Map.of(P0, new OffsetAndMetadata(1, ""), P1, new OffsetAndMetadata(3, "")), first);
    assertEquals(first, unmarked(commits), "not committed yet (Kafka refused, say): asked again");
    commits.committed(first);
    assertEquals(Map.of(), unmarked(commits), "nothing changed");
    commits.finished(P1, 3);
    assertEquals(Map.of(P1, new OffsetAndMetadata(4, "")), unmarked(commits));
  }

  @Test
  void aChangedMarkIsCommittedAtTheSameOffset() {
    CommitTracker commits = new CommitTracker();
    commits.started(P0, 9);
    commits.committed(unmarked(commits));
    assertEquals(Map.of(P0, new OffsetAndMetadata(9, "alone:9")),
        commits.toCommit((partition, offset) -> "alone:" + offset), "a record about to run alone is named");
  }

  @Test
  void aPartitionTakenOverStartsWhereItsPreviousOwnerCommittedAndAForgottenOneIsNotCommitted() {
    CommitTracker commits = new CommitTracker();
    commits.took(P0, new OffsetAndMetadata(10, "deaths:1"));
    assertEquals(Map.of(), commits.toCommit((partition, offset) -> "deaths:1"), "nothing read: nothing to commit");
    assertEquals(Map.of(P0, new OffsetAndMetadata(10, "")), unmarked(commits), "the mark cleared: committed");
    commits.started(P0, 10);
    commits.finished(P0, 10);
    assertEquals(Map.of(P0, new OffsetAndMetadata(11, "")), unmarked(commits));
    commits.forget(P0);
    assertEquals(Map.of(), unmarked(commits), "moved to another worker: its commits are that worker's");
  }
}
