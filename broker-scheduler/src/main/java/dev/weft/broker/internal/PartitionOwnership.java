package dev.weft.broker.internal;

import dev.weft.broker.protocol.QuietLog;
import dev.weft.broker.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which partitions of the graphs topic this scheduler owns, how it takes one over, and what it commits.
 *
 * <p>A partition given by the group is paused until its takeover is prepared ({@link #prepareTakeovers()}): where its
 * unfinished graphs start (the group's committed offset) and where their results start (recorded with it, as
 * {@code results=N}). Its graphs are read again up to where they ended at takeover, then its results, and only then do
 * its graphs run on ({@link #finishRecoveries()}): a task that was in flight may so run twice, its second result
 * ignored. A commit records, per partition, the oldest graph not ended here and where its results start; it waits for
 * what was sent before it, so that a successor does not need to send it again. Loop thread only.
 */
public final class PartitionOwnership {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionOwnership.class);
  static final String RESULTS_MARK = "results=";
  /** How long a commit waits for Kafka to answer what was sent before it. */
  private static final Duration SENDS_BEFORE_COMMIT_TIMEOUT = Duration.ofSeconds(5);

  private final Consumer<String, byte[]> graphsConsumer;
  private final Consumer<String, byte[]> resultsConsumer;
  private final Topics topics;
  private final RunningGraphs graphs;
  private final EventPublisher events;
  private final CountedProducer producer;
  private final QuietLog quiet;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private final Set<Integer> owned = new HashSet<>();
  /** Owned partitions whose takeover is not prepared yet: their graphs are not read until it is. */
  private final Set<Integer> unprepared = new HashSet<>();
  private final Map<Integer, Recovery> recovering = new HashMap<>();

  /** A partition being taken over: its graphs are read up to graphsEnd, then its results up to resultsEnd. */
  private static final class Recovery {
    final long graphsEnd;
    final long resultsStart;
    long resultsEnd = -1;

    Recovery(long graphsEnd, long resultsStart) {
      this.graphsEnd = graphsEnd;
      this.resultsStart = resultsStart;
    }
  }

  public PartitionOwnership(Consumer<String, byte[]> graphsConsumer, Consumer<String, byte[]> resultsConsumer,
      Topics topics, RunningGraphs graphs, EventPublisher events, CountedProducer producer, QuietLog quiet) {
    this.graphsConsumer = graphsConsumer;
    this.resultsConsumer = resultsConsumer;
    this.topics = topics;
    this.graphs = graphs;
    this.events = events;
    this.producer = producer;
    this.quiet = quiet;
  }

  /** Counted down once this scheduler owns partitions whose takeover is prepared. */
  public CountDownLatch assigned() {
    return assigned;
  }

  public Set<Integer> owned() {
    return owned;
  }

  /** Whether the graphs of {@code partition} are being rebuilt: they do not run on until it is done. */
  public boolean isRecovering(int partition) {
    return recovering.containsKey(partition);
  }

  /** Where the results of a graph read now from {@code partition} can start. */
  public long resultsStart(int partition) {
    Recovery recovery = recovering.get(partition);
    return recovery != null ? recovery.resultsStart : resultsConsumer.position(results(partition));
  }

  public ConsumerRebalanceListener listener() {
    return new Rebalance();
  }

  /**
   * Prepares the takeover of partitions the group gave this scheduler. Done here rather than in the rebalance
   * listener, so that a Kafka call that fails is tried again on the next turn instead of stopping the loop.
   */
  public void prepareTakeovers() {
    if (unprepared.isEmpty()) {
      return;
    }
    List<TopicPartition> partitions = unprepared.stream().map(p -> new TopicPartition(topics.graphs(), p)).toList();
    Map<TopicPartition, OffsetAndMetadata> committed = graphsConsumer.committed(new HashSet<>(partitions));
    Map<TopicPartition, Long> ends = graphsConsumer.endOffsets(partitions);
    Map<TopicPartition, Long> resultsBeginnings = resultsConsumer.beginningOffsets(partitions.stream()
        .map(partition -> results(partition.partition())).toList());
    // Every call that can fail is made: from here on, only bookkeeping.
    List<TopicPartition> assignment = new ArrayList<>(resultsConsumer.assignment());
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      TopicPartition resultsPartition = results(partition.partition());
      long resultsStart = committedResultsStart(committed.get(partition));
      // Retention may have deleted results since (or the mark is missing): start at the oldest one left. The tasks
      // whose results are gone run again.
      long oldest = resultsBeginnings.get(resultsPartition);
      if (resultsStart < oldest) {
        if (resultsStart > 0) {
          LOG.warn("results of partition {} from offset {} were deleted before their graphs ended; reading from {}",
              partition.partition(), resultsStart, oldest);
        }
        resultsStart = oldest;
      }
      recovering.put(partition.partition(), new Recovery(ends.get(partition), resultsStart));
      if (!assignment.contains(resultsPartition)) {
        assignment.add(resultsPartition);
      }
      added.add(resultsPartition);
    }
    resultsConsumer.assign(assignment);
    for (TopicPartition resultsPartition : added) {
      resultsConsumer.seek(resultsPartition, recovering.get(resultsPartition.partition()).resultsStart);
    }
    resultsConsumer.pause(added); // until the partition's graphs are known again
    graphsConsumer.resume(partitions);
    unprepared.clear();
    LOG.info("taking over graph partitions {}", partitions.stream().map(TopicPartition::partition).toList());
    assigned.countDown();
  }

  private static long committedResultsStart(OffsetAndMetadata mark) {
    if (mark != null && mark.metadata() != null && mark.metadata().startsWith(RESULTS_MARK)) {
      return Long.parseLong(mark.metadata().substring(RESULTS_MARK.length()));
    }
    return 0;
  }

  /** Moves partitions whose graphs and results have been read again from recovery to live. */
  public void finishRecoveries() {
    for (Iterator<Map.Entry<Integer, Recovery>> it = recovering.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Recovery> entry = it.next();
      int partition = entry.getKey();
      Recovery recovery = entry.getValue();
      TopicPartition resultsPartition = results(partition);
      if (recovery.resultsEnd < 0) {
        if (graphsConsumer.position(new TopicPartition(topics.graphs(), partition)) < recovery.graphsEnd) {
          continue;
        }
        // Every graph of the partition is known: its results may now be applied.
        recovery.resultsEnd = resultsConsumer.endOffsets(List.of(resultsPartition)).get(resultsPartition);
        resultsConsumer.resume(List.of(resultsPartition));
      }
      if (resultsConsumer.position(resultsPartition) >= recovery.resultsEnd) {
        it.remove();
        LOG.info("took over partition {}: {} unfinished graphs", partition, graphs.resumePartition(partition));
      }
    }
  }

  /** Commits the partitions owned now. */
  public void commit() {
    commit(owned);
  }

  /**
   * Records, per partition, the oldest unfinished graph and where its results can start. A commit Kafka refuses while
   * the group rebalances, or cannot take now, is made again at the next interval, from the partitions then owned.
   */
  private void commit(Collection<Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    // Events and tasks sent so far must be in Kafka before the graphs they belong to are committed past: a successor
    // does not send them again. Once answered, the endings Kafka refused are known too. A commit that has to wait
    // longer is left for a later interval (the last one stands).
    try {
      if (!producer.awaitAnswers(SENDS_BEFORE_COMMIT_TIMEOUT)) {
        quiet.log(new org.apache.kafka.common.errors.TimeoutException("sends unanswered after "
            + SENDS_BEFORE_COMMIT_TIMEOUT.toSeconds() + " s"), "a commit waits for Kafka to take what was sent ({})");
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (int partition : partitions) {
      if (recovering.containsKey(partition) || unprepared.contains(partition)) {
        continue; // nothing new is known; the committed position stands
      }
      TopicPartition graphsPartition = new TopicPartition(topics.graphs(), partition);
      long graphsFrom = events.oldestUnsentCommand(partition,
          graphs.oldestCommand(partition, graphsConsumer.position(graphsPartition)));
      long resultsFrom = events.oldestUnsentResults(partition,
          graphs.oldestResults(partition, resultsConsumer.position(results(partition))));
      offsets.put(graphsPartition, new OffsetAndMetadata(graphsFrom, RESULTS_MARK + resultsFrom));
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      graphsConsumer.commitSync(offsets);
    } catch (RebalanceInProgressException | CommitFailedException | RetriableException e) {
      // A successor would read from the last commit, which is safe; what is still owned is committed again later.
      quiet.log(e, "a commit of the graphs read waits for the group ({}); made again later");
    }
  }

  private TopicPartition results(int partition) {
    return new TopicPartition(topics.results(), partition);
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
      try {
        commit(numbers);
      } catch (RuntimeException e) {
        // The successor reads from the last commit that got through: more than needed, nothing missed.
        LOG.warn("could not commit partitions {} before handing them over: {}", numbers, e.toString());
      }
      drop(numbers);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      for (TopicPartition partition : partitions) {
        owned.add(partition.partition());
        unprepared.add(partition.partition());
      }
      graphsConsumer.pause(partitions); // until prepareTakeovers() knows where their graphs and results start
      LOG.info("assigned graph partitions {}", partitions.stream().map(TopicPartition::partition).toList());
    }

    private void drop(List<Integer> partitions) {
      for (int partition : partitions) {
        owned.remove(partition);
        unprepared.remove(partition);
        recovering.remove(partition);
        graphs.dropPartition(partition);
      }
      List<TopicPartition> keep = new ArrayList<>();
      for (TopicPartition partition : resultsConsumer.assignment()) {
        if (owned.contains(partition.partition())) {
          keep.add(partition);
        }
      }
      resultsConsumer.assign(keep);
    }
  }
}
