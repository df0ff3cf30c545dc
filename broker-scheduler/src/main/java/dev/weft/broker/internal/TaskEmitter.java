package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.ReadyTask;
import dev.weft.broker.protocol.TaskError;
import dev.weft.broker.protocol.TopicAdmin;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.graph.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Writes ready tasks to their pools' topics, within budgets: at most {@code maxInFlightPerPool} tasks of a pool are
 * written and not finished, and each graph has its own limit ({@link GraphState#canEmit()}); the rest wait, ready, in
 * static order. Graphs take turns (round robin), so a large graph does not hold back a small one.
 *
 * <p>A send never throws: one the producer refuses, or Kafka fails with an error a retry may mend, is sent again from
 * the loop ({@link #resendUnsent}); one Kafka refuses for good fails its graph, since nothing else would finish it.
 * Called from the loop's thread; the producer's callbacks add to the queue of unsent tasks.
 */
public final class TaskEmitter {
  private final CountedProducer producer;
  private final WireCodec codec;
  private final Topics topics;
  private final TopicAdmin admin;
  private final EventPublisher events;
  private final int maxInFlightPerPool;
  private final ArrayDeque<GraphState> turns = new ArrayDeque<>();
  private final Map<String, Integer> inFlightByTopic = new HashMap<>();
  /** The pool of each tasks topic known, created if it was missing. */
  private final Map<String, String> poolOfTopic = new HashMap<>();
  private final SchedulerMeters meters;
  /** Tasks in flight by pool, made again each turn for the meters (kept, so that a turn allocates no map). */
  private final Map<String, Integer> byPool = new HashMap<>();
  private final Map<String, Integer> partitionCounts = new HashMap<>();
  private final ConcurrentLinkedQueue<UnsentTask> unsent = new ConcurrentLinkedQueue<>();

  private record UnsentTask(String graphId, int task, int attempt, Throwable error) {}

  public TaskEmitter(CountedProducer producer, WireCodec codec, Topics topics, TopicAdmin admin,
      EventPublisher events, int maxInFlightPerPool, SchedulerMeters meters) {
    this.producer = producer;
    this.codec = codec;
    this.topics = topics;
    this.admin = admin;
    this.events = events;
    this.maxInFlightPerPool = maxInFlightPerPool;
    this.meters = meters;
    poolOfTopic.put(topics.tasks(null), Topics.DEFAULT_POOL);
  }

  /** The tasks topic of {@code pool}, created the first time a graph names the pool. */
  public String taskTopic(String pool) {
    String topic = topics.tasks(pool);
    if (!poolOfTopic.containsKey(topic)) {
      admin.createTasksTopic(pool);
      poolOfTopic.put(topic, Topics.poolName(pool));
    }
    return topic;
  }

  /** Takes a graph's ready tasks into the round. */
  public void add(GraphState graph) {
    turns.add(graph);
  }

  /** Takes a graph out of the round: what it had in flight no longer counts against its pools. */
  public void remove(GraphState graph) {
    turns.remove(graph);
    graph.inFlightByTopic().forEach((topic, count) -> inFlightByTopic.merge(topic, -count, Integer::sum));
  }

  /** A task written to {@code topic} finished: its pool has room for one more. */
  public void finished(String topic) {
    inFlightByTopic.merge(topic, -1, Integer::sum);
  }

  /** Tasks of {@code topic}'s pool written and not finished. */
  public int inFlight(String topic) {
    return inFlightByTopic.getOrDefault(topic, 0);
  }

  /** Publishes the tasks in flight of each pool, for the meters' gauges; once a turn. */
  public void publishInFlight() {
    byPool.clear();
    inFlightByTopic.forEach((topic, count) -> byPool.merge(poolOfTopic.getOrDefault(topic, topic), count,
        Integer::sum));
    meters.inFlight(byPool);
  }

  /** Writes ready tasks while pools and graphs have room, graphs taking turns; true if any was written. */
  public boolean emit() {
    boolean emitted = false;
    int rounds = turns.size();
    while (rounds-- > 0) {
      GraphState graph = turns.poll();
      turns.add(graph);
      while (graph.canEmit()) {
        int task = graph.nextReady();
        String topic = graph.topicOf(task);
        if (inFlight(topic) >= maxInFlightPerPool) {
          break;
        }
        int attempt = graph.emitNext();
        inFlightByTopic.merge(topic, 1, Integer::sum);
        Task spec = graph.plan().task(task);
        meters.of(spec.pool(), spec.function()).emitted().increment();
        send(graph, task, attempt);
        emitted = true;
      }
    }
    return emitted;
  }

  /** Writes an attempt of a task to its pool's topic, with its graph's partition, where its result must go. */
  public void send(GraphState graph, int task, int attempt) {
    Task spec = graph.plan().task(task);
    String graphId = graph.graphId();
    try {
      ReadyTask ready = new ReadyTask(graphId, spec.key(), attempt, spec.function(),
          WireCodec.locate(spec.args(), key -> graph.location(graph.plan().indexOf(key))), graph.partition());
      String topic = graph.topicOf(task);
      int partition = graph.preferredPartition(task);
      Integer chosen = partition >= 0 && partition < partitionCount(topic) ? partition : null;
      byte[] encoded = codec.encode(topic, ready);
      if (encoded.length > admin.limitOf(topic)) {
        // Its literal arguments came in a graph record of another topic, which may take more: no retry would help.
        throw new RecordTooLargeException("it is " + encoded.length + " bytes encoded with its arguments, over the "
            + admin.limitOf(topic) + " bytes " + topic + " takes (" + admin.describeLimit(topic) + ")");
      }
      producer.send(new ProducerRecord<>(topic, chosen, ready.recordKey(), encoded), error -> {
        if (error != null) {
          unsent.add(new UnsentTask(graphId, task, attempt, error));
        }
      });
    } catch (RuntimeException e) {
      unsent.add(new UnsentTask(graphId, task, attempt, e));
      return;
    }
    if (graph.taskEvents()) {
      events.publish(graph.partition(), GraphEvent.taskStarted(graphId, spec.key(), spec.function(), graph.done(),
          graph.size()));
    }
  }

  /**
   * Partitions of a tasks topic: a task goes to a partition named by a result (where its input was made) only if the
   * topic has it, so that a forged or stale result cannot make the producer wait for a partition that does not exist.
   */
  private int partitionCount(String topic) {
    Integer count = partitionCounts.get(topic);
    if (count == null) {
      count = producer.partitionCount(topic);
      partitionCounts.put(topic, count);
    }
    return count;
  }

  public boolean hasUnsent() {
    return !unsent.isEmpty();
  }

  /**
   * Sends again the tasks whose send failed and whose attempt still runs; one Kafka refused for good ends its graph
   * with a failure that says so, through {@code end}.
   *
   * @param waiting called with each error that is sent again, for the loop to log
   */
  public void resendUnsent(Function<String, GraphState> graphs, BiConsumer<GraphState, GraphEvent> end,
      java.util.function.Consumer<Throwable> waiting) {
    List<UnsentTask> again = new ArrayList<>(unsent);
    unsent.removeAll(again);
    for (UnsentTask task : again) {
      GraphState graph = graphs.apply(task.graphId());
      if (graph == null || !graph.isInFlight(task.task(), task.attempt())) {
        continue; // ended, or its attempt is over
      }
      Throwable error = task.error();
      if (error instanceof KafkaException && !(error instanceof RetriableException)) {
        end.accept(graph, GraphEvent.failed(graph.graphId(), graph.plan().key(task.task()),
            graph.plan().task(task.task()).function(), task.attempt(), new TaskError(error.getClass().getName(),
                "the task could not be written to Kafka: " + error.getMessage(), "", false), null, 0, graph.done(),
            graph.size()));
      } else {
        waiting.accept(error);
        send(graph, task.task(), task.attempt());
      }
    }
  }
}
