package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.RegistryUnavailableException;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.function.FunctionCatalog;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.Task;
import dev.weft.graph.internal.ExecutionPlan;
import dev.weft.value.MalformedValueException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the records of the graphs topic: a submitted graph is validated and run, or rejected with the reason; a
 * cancellation ends its graph. Records from outside that cannot be read go to the dead letters. Whatever one graph does
 * wrong must not stop the scheduler (its successor would read the graph again and stop too); only Kafka or the
 * registry being away does, and then the record is read again once they are back. Loop thread only.
 */
public final class CommandIntake {
  private static final Logger LOG = LoggerFactory.getLogger(CommandIntake.class);
  /** The reserved function of placeholder tasks that stand for results of earlier graphs. */
  public static final String INPUT_FUNCTION = "weft.input";

  private final WireCodec codec;
  private final FunctionCatalog functions;
  private final RunningGraphs graphs;
  private final TaskEmitter emitter;
  private final EventPublisher events;
  private final PartitionOwnership ownership;
  private final CountedProducer producer;
  private final SchedulerMeters meters;

  /** @param functions what graphs may name, or null to leave the names to the workers */
  public CommandIntake(WireCodec codec, FunctionCatalog functions, RunningGraphs graphs, TaskEmitter emitter,
      EventPublisher events, PartitionOwnership ownership, CountedProducer producer, SchedulerMeters meters) {
    this.codec = codec;
    this.functions = functions;
    this.graphs = graphs;
    this.emitter = emitter;
    this.events = events;
    this.ownership = ownership;
    this.producer = producer;
    this.meters = meters;
  }

  public void onCommand(ConsumerRecord<String, byte[]> record) {
    GraphCommand command;
    try {
      command = codec.decodeCommand(record.topic(), record.value());
    } catch (GraphValidationException e) {
      refuse(record, record.key(), e.getMessage(), e.problems(), e);
      return;
    } catch (MalformedValueException e) {
      refuse(record, record.key(), "the submitted graph cannot be decoded: " + e.getMessage(), List.of(), e);
      return;
    }
    if (!command.graphId().equals(record.key())) {
      // A graph's records must be keyed by its id, so that its cancellation lands where its submission did, whatever
      // partitioner wrote them; one keyed otherwise could not be cancelled.
      MalformedValueException badKey = new MalformedValueException("a record of " + record.topic() + " for graph '"
          + command.graphId() + "' is keyed " + (record.key() == null ? "null" : "'" + record.key() + "'")
          + "; a graph's records must be keyed by its id");
      refuse(record, command instanceof GraphCommand.Submit ? command.graphId() : null, badKey.getMessage(),
          List.of(), badKey);
      return;
    }
    if (command instanceof GraphCommand.Cancel cancel) {
      cancel(cancel);
      return;
    }
    try {
      accept((GraphCommand.Submit) command, record.partition(), record.offset());
    } catch (KafkaException | RegistryUnavailableException e) {
      throw e; // not the graph's fault: its record is read again once Kafka or the registry is back
    } catch (RuntimeException e) {
      LOG.error("graph {} cannot be scheduled", command.graphId(), e);
      GraphState accepted = graphs.get(command.graphId());
      if (accepted != null) {
        graphs.forget(accepted);
      }
      events.publishRejection(record.partition(), record.offset(), GraphEvent.rejected(command.graphId(),
          "the graph cannot be scheduled: " + e, List.of()));
    }
  }

  /**
   * Answers a graph record that cannot run: with a rejection that says why, so that its sender hears it, unless a graph
   * of that id runs here (a second record of a running graph must not end it); bytes that are no graph at all, or
   * name no graph that can be told, are put aside too. (Whoever may write the graphs topic can cancel any graph whose
   * id it knows; a rejection gives it no more than that.)
   */
  private void refuse(ConsumerRecord<String, byte[]> record, String graphId, String message,
      List<GraphValidationException.Problem> problems, RuntimeException reason) {
    boolean rejectable = graphId != null && !graphs.contains(graphId);
    if (!rejectable || reason instanceof MalformedValueException) {
      producer.putAside(record, reason);
    }
    if (rejectable) {
      events.publishRejection(record.partition(), record.offset(), GraphEvent.rejected(graphId, message, problems));
    }
  }

  private void accept(GraphCommand.Submit submit, int partition, long offset) {
    String graphId = submit.graphId();
    if (graphs.contains(graphId)) {
      return; // submitted twice (a client retry); the first one runs
    }
    GraphEvent earlier = events.endingOf(graphId);
    if (earlier != null) {
      earlier.inParts().forEach(part -> events.publish(partition, part)); // the retry of a graph that already ended
      return;
    }
    ExecutionPlan plan;
    try {
      plan = ExecutionPlan.compile(withInputs(submit), submit.keys(), functions);
    } catch (GraphValidationException e) {
      events.publishRejection(partition, offset, GraphEvent.rejected(graphId, e.getMessage(), e.problems()));
      return;
    }
    String[] taskTopics = new String[plan.size()];
    for (int task = 0; task < plan.size(); task++) {
      try {
        taskTopics[task] = emitter.taskTopic(plan.task(task).pool());
      } catch (IllegalArgumentException e) {
        String key = plan.key(task);
        events.publishRejection(partition, offset, GraphEvent.rejected(graphId,
            "invalid graph: task '" + key + "': " + e.getMessage(),
            List.of(new GraphValidationException.Problem(GraphValidationException.Kind.UNSUPPORTED_FORMAT,
                List.of(key), "task '" + key + "': " + e.getMessage()))));
        return;
      }
    }
    GraphState graph = new GraphState(graphId, partition, offset, ownership.resultsStart(partition), plan,
        submit.taskEvents(), submit.maxInFlight(), taskTopics, submit.inputs());
    graph.setPaused(ownership.isRecovering(partition));
    graphs.add(graph);
    LOG.debug("accepted graph {} ({} tasks) in partition {}", graphId, plan.size(), partition);
    events.publish(partition, GraphEvent.accepted(graphId, graph.done(), graph.size(), graph.functionProgress()));
    if (graph.isComplete()) {
      graphs.complete(graph);
    }
    // Once accepted (a failure above rejects it, and it is counted rejected instead); as its ACCEPTED event, again by
    // a scheduler that takes its partition over.
    meters.graphSubmitted();
  }

  /** The graph with a placeholder task for each input from an earlier graph, so that references to it resolve. */
  private static Graph withInputs(GraphCommand.Submit submit) {
    if (submit.inputs().isEmpty()) {
      return submit.graph();
    }
    List<Task> tasks = new ArrayList<>(submit.graph().tasks());
    for (String key : submit.inputs().keySet()) {
      if (!submit.graph().contains(key)) {
        tasks.add(Task.of(key, INPUT_FUNCTION));
      }
    }
    return Graph.of(submit.graph().id(), tasks, submit.graph().declaredOutputs());
  }

  private void cancel(GraphCommand.Cancel cancel) {
    GraphState graph = graphs.get(cancel.graphId());
    if (graph == null) {
      LOG.debug("cancel of graph {}, which is not running here (it ended, or never ran)", cancel.graphId());
      return;
    }
    graphs.end(graph, GraphEvent.cancelled(graph.graphId(), cancel.reason(), graph.done(), graph.size()));
  }
}
