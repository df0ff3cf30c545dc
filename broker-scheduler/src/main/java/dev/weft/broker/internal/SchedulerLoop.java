package dev.weft.broker.internal;

import dev.weft.broker.protocol.DeadLetters;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.PollLoop;
import dev.weft.broker.protocol.QuietLog;
import dev.weft.broker.protocol.TopicAdmin;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.function.FunctionCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One turn of the broker scheduler, as Dask's local loop: read graphs, write ready tasks, read results, publish
 * events, commit; all state is this thread's. The parts are each testable alone: {@link PartitionOwnership}
 * (takeovers and commits), {@link CommandIntake} and {@link ResultIntake} (what is read), {@link TaskEmitter} (what is
 * written, within budgets) and {@link EventPublisher} (what is told). The clients come from outside, so a test drives
 * the loop with Kafka's mock clients, turn by turn, on its own thread.
 */
public final class SchedulerLoop implements PollLoop.Body {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerLoop.class);

  /**
   * How the loop paces itself.
   *
   * @param resendInterval how long failed sends wait before they are sent again (a second: Kafka is away, or busy)
   */
  public record Settings(int maxInFlightPerPool, Duration progressInterval, Duration commitInterval,
      Duration resendInterval, int maxRecordBytes) {}

  private final Runnable onFinish;
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> graphsConsumer;
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> resultsConsumer;
  private final Topics topics;
  private final CountedProducer producer;
  private final EventPublisher events;
  private final TaskEmitter emitter;
  private final RunningGraphs graphs;
  private final PartitionOwnership ownership;
  private final CommandIntake commands;
  private final ResultIntake results;
  private final QuietLog quiet = new QuietLog(LOG);
  private final long progressIntervalNanos;
  private final long commitIntervalNanos;
  private final long resendIntervalNanos;
  private long lastCommitNanos = System.nanoTime();
  private long lastResendNanos;
  private volatile int unfinishedGraphs;

  /**
   * @param functions what graphs may name, or null to leave the names to the workers
   * @param registry where the loop's meters go (the service's, which {@code /metrics} serves)
   * @param onFinish runs last, after the clients are closed (the service closes the registry and plugins)
   */
  public SchedulerLoop(org.apache.kafka.clients.consumer.Consumer<String, byte[]> graphsConsumer,
      org.apache.kafka.clients.consumer.Consumer<String, byte[]> resultsConsumer, Producer<String, byte[]> producer,
      WireCodec codec, Topics topics, TopicAdmin admin, FunctionCatalog functions, Settings settings,
      MeterRegistry registry, Runnable onFinish) {
    this.graphsConsumer = graphsConsumer;
    this.resultsConsumer = resultsConsumer;
    this.topics = topics;
    this.onFinish = onFinish;
    SchedulerMeters meters = new SchedulerMeters(registry);
    meters.graphsRunning(this, SchedulerLoop::unfinishedGraphs);
    this.producer = new CountedProducer(producer, new DeadLetters(producer, topics, settings.maxRecordBytes()), meters);
    this.events = new EventPublisher(this.producer, codec, topics, admin, meters);
    this.emitter = new TaskEmitter(this.producer, codec, topics, admin, events, settings.maxInFlightPerPool(), meters);
    this.graphs = new RunningGraphs(emitter, events);
    this.ownership = new PartitionOwnership(graphsConsumer, resultsConsumer, topics, graphs, events, this.producer,
        quiet);
    this.commands = new CommandIntake(codec, functions, graphs, emitter, events, ownership, this.producer, meters);
    this.results = new ResultIntake(codec, graphs, emitter, events, this.producer, meters);
    this.progressIntervalNanos = settings.progressInterval().toNanos();
    this.commitIntervalNanos = settings.commitInterval().toNanos();
    this.resendIntervalNanos = settings.resendInterval().toNanos();
    graphsConsumer.subscribe(List.of(topics.graphs()), ownership.listener());
  }

  @Override
  public void turn() {
    ownership.prepareTakeovers();
    if (resultsConsumer.assignment().isEmpty()) {
      process(graphsConsumer.poll(Duration.ofMillis(100)), graphsConsumer, commands::onCommand);
    } else {
      process(graphsConsumer.poll(Duration.ZERO), graphsConsumer, commands::onCommand);
      boolean busy = emitter.emit();
      ConsumerRecords<String, byte[]> read;
      try {
        read = resultsConsumer.poll(Duration.ofMillis(busy ? 0 : 5));
      } catch (OffsetOutOfRangeException e) {
        // Retention deleted results not read yet (a long takeover): from the oldest left; their tasks run again.
        LOG.warn("results at {} were deleted before they were read; reading from the oldest left",
            e.offsetOutOfRangePartitions());
        resultsConsumer.seekToBeginning(e.partitions());
        return;
      }
      process(read, resultsConsumer, results::onResult);
      ownership.finishRecoveries();
    }
    emitter.emit(); // what the results just made ready
    resendUnsent();
    publishProgress();
    if (System.nanoTime() - lastCommitNanos > commitIntervalNanos) {
      commit();
    }
    unfinishedGraphs = graphs.size();
    emitter.publishInFlight();
  }

  /**
   * Handles polled records in order. A record a handler could not finish for a reason that is not the record's (the
   * registry or Kafka away) is read again later with those after it, the consumer moved back to them: never skipped.
   */
  private static void process(ConsumerRecords<String, byte[]> records,
      org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
      Consumer<ConsumerRecord<String, byte[]>> handler) {
    Map<TopicPartition, Long> unhandled = new HashMap<>();
    RuntimeException stopped = null;
    for (ConsumerRecord<String, byte[]> record : records) {
      if (stopped == null) {
        try {
          handler.accept(record);
          continue;
        } catch (RuntimeException e) {
          stopped = e;
        }
      }
      unhandled.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
    }
    if (stopped != null) {
      unhandled.forEach(consumer::seek);
      throw stopped;
    }
  }

  /** Sends again, at most once a resend interval, the tasks and endings whose send failed. */
  private void resendUnsent() {
    if (!emitter.hasUnsent() && !events.hasUnsentEndings()
        || System.nanoTime() - lastResendNanos < resendIntervalNanos) {
      return;
    }
    lastResendNanos = System.nanoTime();
    events.resendEndings(ownership.owned());
    emitter.resendUnsent(graphs::get, graphs::end,
        error -> quiet.log(error, "a task could not be written ({}); it is sent again"));
  }

  private void publishProgress() {
    long now = System.nanoTime();
    for (GraphState graph : graphs.all()) {
      if (!graph.isPaused() && graph.progressDue(now, progressIntervalNanos)) {
        graph.progressPublished(now);
        events.publish(graph.partition(), GraphEvent.progress(graph.graphId(), graph.done(), graph.size(),
            graph.functionProgress()));
      }
    }
  }

  private void commit() {
    lastCommitNanos = System.nanoTime();
    ownership.commit();
  }

  /** Commits what was read, then closes the clients; on the loop's thread, last. */
  @Override
  public void finish() {
    try {
      commit();
    } catch (RuntimeException e) {
      LOG.warn("final commit failed: {}", e.toString());
    }
    graphsConsumer.close(Duration.ofSeconds(5));
    resultsConsumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
    onFinish.run();
  }

  /** Counted down once this scheduler owns partitions whose takeover is prepared. */
  public CountDownLatch assigned() {
    return ownership.assigned();
  }

  /** Graphs held that have not ended, as of the last turn (those being rebuilt too); any thread. */
  public int unfinishedGraphs() {
    return unfinishedGraphs;
  }

  /** The events publisher, for tests that look at what the loop remembers. */
  EventPublisher events() {
    return events;
  }
}
