package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.graph.Task;
import dev.weft.value.MalformedValueException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the results topic: a result moves its task on ({@link GraphState#onResult}), which may make tasks ready,
 * retry the task, fail the graph or complete it. A result of a graph that ended, or of an attempt that is over, is
 * ignored; one that cannot be read goes to the dead letters. While a partition is rebuilt after a takeover, results
 * only restore its graphs: no events for what the previous owner already published. Loop thread only.
 */
public final class ResultIntake {
  private static final Logger LOG = LoggerFactory.getLogger(ResultIntake.class);
  private final WireCodec codec;
  private final RunningGraphs graphs;
  private final TaskEmitter emitter;
  private final EventPublisher events;
  private final CountedProducer producer;
  private final SchedulerMeters meters;

  public ResultIntake(WireCodec codec, RunningGraphs graphs, TaskEmitter emitter, EventPublisher events,
      CountedProducer producer, SchedulerMeters meters) {
    this.codec = codec;
    this.graphs = graphs;
    this.emitter = emitter;
    this.events = events;
    this.producer = producer;
    this.meters = meters;
  }

  public void onResult(ConsumerRecord<String, byte[]> record) {
    TaskResult result;
    try {
      result = codec.decodeResult(record.topic(), record.value(), false);
    } catch (MalformedValueException e) {
      producer.putAside(record, e);
      return;
    }
    GraphState graph = graphs.get(result.graphId());
    if (graph == null) {
      return; // a graph that ended, or a late duplicate
    }
    int task = graph.plan().indexOf(result.taskKey());
    if (task < 0) {
      LOG.warn("result for unknown task '{}' of graph {}; ignored", result.taskKey(), result.graphId());
      return;
    }
    ResultRef location = new ResultRef(record.partition(), record.offset());
    boolean retriable = result.succeeded() || result.error().retriable();
    boolean rebuilding = graph.isPaused();
    GraphState.Outcome outcome = graph.onResult(task, result.attempt(), result.succeeded(), retriable, location,
        result.taskPartition());
    count(graph.plan().task(task), outcome, rebuilding, result.durationNanos());
    switch (outcome) {
      case DONE, RECOVERED -> {
        if (!graph.isPaused()) {
          emitter.finished(graph.topicOf(task));
          if (graph.taskEvents()) {
            events.publish(graph.partition(), GraphEvent.taskDone(graph.graphId(), result.taskKey(),
                graph.plan().task(task).function(), location, result.worker(), result.durationNanos(), graph.done(),
                graph.size()));
          }
        }
        if (graph.isComplete()) {
          graphs.complete(graph);
        }
      }
      case RETRY -> emitter.send(graph, task, graph.retry(task));
      case FAILED -> {
        Task failed = graph.plan().task(task);
        graphs.end(graph, GraphEvent.failed(graph.graphId(), failed.key(), failed.function(), graph.attempt(task),
            result.error(), result.worker(), result.durationNanos(), graph.done(), graph.size()));
      }
      default -> { } // a duplicate, or a stale attempt
    }
  }

  /**
   * Counts a result that moved its graph on. One read again while its graph is rebuilt (a takeover) was counted by the
   * scheduler that read it first: not again.
   */
  private void count(Task task, GraphState.Outcome outcome, boolean rebuilding, long durationNanos) {
    if (rebuilding || outcome == GraphState.Outcome.IGNORED || outcome == GraphState.Outcome.RECOVERED) {
      return;
    }
    SchedulerMeters.TaskMeters counted = meters.of(task.pool(), task.function());
    switch (outcome) {
      case DONE -> counted.completed().increment();
      case RETRY -> {
        counted.retried().increment();
        counted.emitted().increment(); // sent again at once, below
      }
      default -> counted.failed().increment();
    }
    counted.ran(durationNanos);
  }
}
