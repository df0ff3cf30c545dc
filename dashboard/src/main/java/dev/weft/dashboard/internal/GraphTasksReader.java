package dev.weft.dashboard.internal;

import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WorkerReport;
import dev.weft.dashboard.ClusterState;
import dev.weft.dashboard.GraphTasks;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.value.MalformedValueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A graph's tasks by state, read when asked: its submission from the graphs topic (by the partition and offset the view
 * saw it at), its results from its partition of the results topic (without their values, and only those not read at
 * the last ask: the few graphs asked for last are kept), and the workers' last reports for what runs where. One ask at
 * a time, each bounded in time: what could not be read in time is said in the answer's note.
 */
final class GraphTasksReader implements AutoCloseable {
  /** How long one ask may read; a long graph's results are read over several asks. */
  private static final Duration READ_TIME = Duration.ofSeconds(10);
  /** How long a graph whose events were read waits for its submission to be read too. */
  private static final Duration SUBMISSION_WAIT = Duration.ofSeconds(2);
  /** How far before its submission a graph's results may be stamped: the clocks of its workers and client differ. */
  private static final long CLOCK_SKEW_MS = 60_000;
  private static final int CACHED_GRAPHS = 4;
  private static final int MAX_ERROR = 500;

  private final KafkaConsumer<String, byte[]> consumer;
  private final WireCodec codec;
  private final Topics topics;
  private final ClusterModel model;
  private final LinkedHashMap<String, Tasks> cache = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Tasks> eldest) {
      return size() > CACHED_GRAPHS;
    }
  };

  GraphTasksReader(Map<String, Object> clientProperties, String clientId, Topics topics, WireCodec codec,
      ClusterModel model) {
    Map<String, Object> properties = new HashMap<>(clientProperties);
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    this.codec = codec;
    this.topics = topics;
    this.model = model;
  }

  /** The graph's tasks, at most {@code maxPerState} listed in each state; null when the view does not know it. */
  synchronized GraphTasks read(String graphId, int maxPerState, long now) {
    ClusterState.Graph graph = model.graph(graphId, now);
    if (graph == null) {
      return null;
    }
    long deadline = System.nanoTime() + READ_TIME.toNanos();
    // The view reads the events and graphs topics with one consumer, in no order between them: a graph's events may be
    // read before its submission. Its submission is waited for a moment before it is called missing (a graph older
    // than the look-back costs its page that moment).
    long submissionDeadline = System.nanoTime() + SUBMISSION_WAIT.toNanos();
    while (graph.submitOffset() < 0 && System.nanoTime() < submissionDeadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      graph = model.graph(graphId, now);
      if (graph == null) {
        return null;
      }
    }
    if (graph.submitOffset() < 0) {
      return new GraphTasks(graphId, graph.state(), graph.partition(), -1, graph.total(), Map.of(), List.of(),
          List.of(), List.of(), List.of(), List.of(), "its submission was not read: it is older than the view's "
              + "look-back (weft.dashboard.lookback.ms)");
    }
    Tasks tasks = cache.get(graphId);
    if (tasks == null) {
      GraphCommand.Submit submit = submission(graph, deadline);
      if (submit == null) {
        return new GraphTasks(graphId, graph.state(), graph.partition(), graph.submitOffset(), graph.total(),
            Map.of(), List.of(), List.of(), List.of(), List.of(), List.of(), "its submission at "
                + topics.graphs() + "-" + graph.partition() + "@" + graph.submitOffset() + " could not be read");
      }
      tasks = new Tasks(submit, resultsStart(graph));
      cache.put(graphId, tasks);
    }
    String note = readResults(graphId, graph.partition(), tasks, deadline);
    return tasks.byState(graph, maxPerState, model.lastReports(), model.rules(), now, note);
  }

  private GraphCommand.Submit submission(ClusterState.Graph graph, long deadline) {
    TopicPartition partition = new TopicPartition(topics.graphs(), graph.partition());
    consumer.assign(List.of(partition));
    consumer.seek(partition, graph.submitOffset());
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        if (record.offset() == graph.submitOffset()) {
          try {
            return codec.decodeCommand(record.topic(), record.value()) instanceof GraphCommand.Submit submit
                ? submit : null;
          } catch (RuntimeException e) {
            return null; // rejected by its scheduler too
          }
        }
        if (record.offset() > graph.submitOffset()) {
          return null; // deleted by retention
        }
      }
    }
    return null;
  }

  private long resultsStart(ClusterState.Graph graph) {
    TopicPartition partition = new TopicPartition(topics.results(), graph.partition());
    long since = Math.max(0, graph.submittedAt() - CLOCK_SKEW_MS);
    OffsetAndTimestamp offset = consumer.offsetsForTimes(Map.of(partition, since), READ_TIME).get(partition);
    return offset != null ? offset.offset() : consumer.endOffsets(List.of(partition), READ_TIME).get(partition);
  }

  /** Reads the graph's results written since the last ask; returns a note when the end was not reached in time. */
  private String readResults(String graphId, int partitionNumber, Tasks tasks, long deadline) {
    TopicPartition partition = new TopicPartition(topics.results(), partitionNumber);
    long end = consumer.endOffsets(List.of(partition), READ_TIME).get(partition);
    consumer.assign(List.of(partition));
    consumer.seek(partition, tasks.nextResult);
    while (tasks.nextResult < end) {
      if (System.nanoTime() > deadline) {
        return "results read up to " + topics.results() + "-" + partitionNumber + "@" + tasks.nextResult + " of "
            + end + "; ask again for the rest";
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        tasks.nextResult = record.offset() + 1;
        if (graphId.equals(record.key())) {
          try {
            tasks.onResult(codec.decodeResult(record.topic(), record.value(), false), record.partition(),
                record.offset());
          } catch (MalformedValueException e) {
            // put aside by the scheduler: it counts for nothing
          }
        }
      }
      tasks.nextResult = Math.max(tasks.nextResult, consumer.position(partition));
    }
    return null;
  }

  @Override
  public synchronized void close() {
    consumer.close(Duration.ofSeconds(2));
  }

  /** One graph's tasks, as its submission declares them, and what its results said of each so far. */
  private static final class Tasks {
    final String[] keys;
    final String[] functions;
    /** Each task's inputs, as task numbers; inputs from earlier graphs (done) are left out. */
    final int[][] inputs;
    final Map<String, Integer> numbers = new HashMap<>();
    final boolean[] done;
    final int[] resultPartition;
    final long[] resultOffset;
    final String[] worker;
    final long[] durationNanos;
    final int[] failures;
    final String[] error;
    long nextResult;

    Tasks(GraphCommand.Submit submit, long resultsStart) {
      Graph graph = submit.graph();
      List<String> wanted = submit.keys() != null ? submit.keys() : graph.outputs();
      Graph culled = graph.cull(wanted.stream().filter(graph::contains).toList());
      int size = culled.size();
      keys = new String[size];
      functions = new String[size];
      inputs = new int[size][];
      for (int i = 0; i < size; i++) {
        Task task = culled.tasks().get(i);
        keys[i] = task.key();
        functions[i] = task.function();
        numbers.put(task.key(), i);
      }
      for (int i = 0; i < size; i++) {
        inputs[i] = culled.tasks().get(i).dependencies().stream().filter(numbers::containsKey)
            .mapToInt(numbers::get).distinct().toArray();
      }
      done = new boolean[size];
      resultPartition = new int[size];
      resultOffset = new long[size];
      worker = new String[size];
      durationNanos = new long[size];
      failures = new int[size];
      error = new String[size];
      nextResult = resultsStart;
    }

    void onResult(TaskResult result, int partition, long offset) {
      Integer task = numbers.get(result.taskKey());
      if (task == null || done[task]) {
        return; // not a task of this graph's keys, or a duplicate: the first result counts, as at the scheduler
      }
      if (result.succeeded()) {
        done[task] = true;
        resultPartition[task] = partition;
        resultOffset[task] = offset;
        worker[task] = result.worker();
        durationNanos[task] = result.durationNanos();
      } else {
        failures[task]++;
        worker[task] = result.worker();
        String message = result.error().message();
        error[task] = ClusterModel.cut(result.error().type() + (message == null ? "" : ": " + message), MAX_ERROR);
      }
    }

    GraphTasks byState(ClusterState.Graph graph, int max, List<WorkerReport> reports, ClusterState.Rules rules,
        long now, String note) {
      Map<String, WorkerReport.RunningTask> running = new HashMap<>();
      Map<String, WorkerReport> runningOn = new HashMap<>();
      for (WorkerReport report : reports) {
        for (WorkerReport.RunningTask task : report.running()) {
          WorkerReport earlier = runningOn.get(task.taskKey());
          // A task run again elsewhere (its worker died) is where the newest report says.
          if (task.graphId().equals(graph.id()) && (earlier == null || earlier.time() < report.time())) {
            running.put(task.taskKey(), task);
            runningOn.put(task.taskKey(), report);
          }
        }
      }
      List<GraphTasks.Waiting> waiting = new ArrayList<>();
      List<GraphTasks.Ready> ready = new ArrayList<>();
      List<GraphTasks.Running> runs = new ArrayList<>();
      List<GraphTasks.Done> finished = new ArrayList<>();
      List<GraphTasks.Failed> failed = new ArrayList<>();
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (String state : List.of("waiting", "ready", "running", "done", "failed")) {
        counts.put(state, 0);
      }
      boolean graphFailed = graph.state().equals("failed");
      for (int n = 0; n < keys.length; n++) {
        int i = n;
        String key = keys[i];
        WorkerReport.RunningTask task = running.get(key);
        if (done[i]) {
          add(finished, max, counts, "done", () -> new GraphTasks.Done(key, functions[i], resultPartition[i],
              resultOffset[i], worker[i], durationNanos[i] / 1_000_000));
        } else if (task != null && !(graphFailed && key.equals(graph.failedTask()))) {
          WorkerReport report = runningOn.get(key);
          long silent = Math.max(0, now - report.time());
          add(runs, max, counts, "running", () -> new GraphTasks.Running(key, functions[i], report.worker(),
              task.thread(), task.startMicros() / 1000, silent, silent > rules.silentAfterMs()));
        } else if (failures[i] > 0) {
          add(failed, max, counts, "failed", () -> new GraphTasks.Failed(key, functions[i], failures[i], worker[i],
              error[i]));
        } else {
          List<String> on = new ArrayList<>();
          int unfinished = 0;
          for (int input : inputs[i]) {
            if (!done[input]) {
              unfinished++;
              if (on.size() < 10) {
                on.add(keys[input]);
              }
            }
          }
          if (unfinished > 0) {
            int count = unfinished;
            add(waiting, max, counts, "waiting", () -> new GraphTasks.Waiting(key, functions[i], on, count));
          } else {
            add(ready, max, counts, "ready", () -> new GraphTasks.Ready(key, functions[i]));
          }
        }
      }
      return new GraphTasks(graph.id(), graph.state(), graph.partition(), graph.submitOffset(), keys.length, counts,
          waiting, ready, runs, finished, failed, note);
    }

    private static <T> void add(List<T> list, int max, Map<String, Integer> counts, String state,
        java.util.function.Supplier<T> item) {
      counts.merge(state, 1, Integer::sum);
      if (list.size() < max) {
        list.add(item.get());
      }
    }
  }
}
