package dev.weft.dashboard;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster at one moment, as a {@link ClusterView} read it from Kafka: what the dashboard shows, {@code weft status}
 * prints and {@code weft dump} writes (as JSON, these records' fields as they are named). Immutable. Times are epoch
 * milliseconds; durations milliseconds.
 *
 * @param time when this state was made
 * @param caughtUp whether the view had read its topics to the ends they had when it started: before, it may lack
 *     graphs and workers
 * @param rules what the view's words mean (when a worker is silent, when it is left out)
 * @param graphs unfinished graphs (running, then queued), then finished ones, newest first (the last
 *     {@code weft.dashboard.finished.graphs} of them); at most so many of each graph state (200 on the dashboard and
 *     in {@code weft status}; {@code weft dump} lists every graph the view holds), the rest only counted
 * @param graphCounts the graphs the view holds by graph state ({@code running}, {@code queued}, {@code completed},
 *     {@code failed}, {@code cancelled}, {@code rejected}, in this order): how many, and how many of them
 *     {@code graphs} leaves out
 * @param workers the workers that report, by pool and name (see {@link Rules})
 * @param pools each worker pool's consumer group as Kafka has it: members, partitions and their lag
 * @param schedulers the members of the schedulers' group and the graph partitions each owns
 * @param taskStream the tasks the workers ran in the last minute, and those they run
 * @param deadLetters the newest dead letters, newest first
 * @param rejections the newest graphs rejected, newest first
 * @param streams the stream jobs, with what the schedulers that run them report
 * @param problems what the view could not read lately (Kafka's admin API, the stream jobs), or empty
 */
@JsonPropertyOrder({"time", "caughtUp", "rules", "graphs", "graphCounts", "workers", "pools", "schedulers", "taskStream",
    "deadLetters", "rejections", "streams", "problems"})
public record ClusterState(long time, boolean caughtUp, Rules rules, List<Graph> graphs,
    Map<String, GraphCount> graphCounts, List<Worker> workers,
    List<Pool> pools, List<Scheduler> schedulers, TaskStream taskStream, List<DeadLetter> deadLetters,
    List<Rejection> rejections, List<Stream> streams, List<String> problems) {

  public ClusterState {
    graphs = List.copyOf(graphs);
    graphCounts = Collections.unmodifiableMap(new LinkedHashMap<>(graphCounts));
    workers = List.copyOf(workers);
    pools = List.copyOf(pools);
    schedulers = List.copyOf(schedulers);
    deadLetters = List.copyOf(deadLetters);
    rejections = List.copyOf(rejections);
    streams = List.copyOf(streams);
    problems = List.copyOf(problems);
  }

  /**
   * When a worker counts as silent and when it is left out, from the time of its last report: a worker reports every
   * {@code weft.worker.report.interval.ms} (500 ms by default).
   *
   * @param silentAfterMs a worker whose last report is older is silent: shown so, its running tasks with it
   * @param goneAfterMs a worker whose last report is older is left out of {@link ClusterState#workers()} (its
   *     running tasks, in a graph's tasks, still name it); so is one whose last report said it was leaving
   */
  public record Rules(long silentAfterMs, long goneAfterMs) {}

  /**
   * A graph.
   *
   * @param state {@code queued} (submitted, not accepted yet), {@code running}, {@code completed}, {@code failed},
   *     {@code cancelled} or {@code rejected}
   * @param submitOffset where its submission is in its partition of the graphs topic; -1 when the view did not read it
   *     (it is older than the view's look-back)
   * @param submittedAt when it was submitted (its record's timestamp); -1 when not read
   * @param endedAt when it ended; -1 while it runs
   * @param ageMs how long it has been there: since its submission (or since it was first seen), to now or its end
   * @param functions its tasks by function, done and total, as its scheduler last said (none for a graph not
   *     accepted yet, or from a scheduler of an earlier version)
   * @param failedTask the task that failed it, or null
   * @param message why it failed, was cancelled or rejected; null otherwise
   */
  public record Graph(String id, String state, int partition, long submitOffset, long submittedAt, long endedAt,
      long ageMs, int done, int total, List<FunctionProgress> functions, String failedTask, String failedFunction,
      String message) {
    public Graph {
      functions = List.copyOf(functions);
    }

    @JsonIgnore
    public boolean isFinished() {
      return !state.equals("queued") && !state.equals("running");
    }
  }

  /** Graphs of one graph state: how many the view holds, and how many of them a state does not list. */
  public record GraphCount(int count, int notListed) {}

  public record FunctionProgress(String function, int done, int total) {}

  /**
   * A worker, from its last report and its pool's group.
   *
   * @param lastReportAt when its last report was made
   * @param silentMs how long ago that was
   * @param silent whether that is longer than {@link Rules#silentAfterMs()}
   * @param tasksPerSecond tasks finished per second over its reports of the last ten seconds
   * @param partitions the tasks partitions Kafka's group assigns it, or, when the view has not seen the group, those it
   *     reported
   * @param lag records of those partitions its group has not committed yet; -1 when not known
   * @param member whether Kafka lists it as a member of its pool's group (as of the view's last look)
   * @param runningTasks the tasks it ran as it last reported
   */
  public record Worker(String name, String pool, String host, long pid, long startedAt, long lastReportAt,
      long silentMs, boolean silent, int threads, double tasksPerSecond, long tasksRun, long tasksFailed,
      long cacheBytes, long cacheHits, long cacheMisses, long heapUsed, long heapMax, List<Integer> partitions,
      long lag, boolean member, List<RunningTask> runningTasks) {
    public Worker {
      partitions = List.copyOf(partitions);
      runningTasks = List.copyOf(runningTasks);
    }
  }

  /** A task a worker runs: since {@code startedAt}, on its task thread {@code thread} (from 1). */
  public record RunningTask(String graphId, String taskKey, String function, int thread, long startedAt) {}

  /**
   * A pool's consumer group of workers, as Kafka's admin API says.
   *
   * @param lag records of the pool's tasks topic its group has not committed yet, in all partitions
   * @param members the group's members; those without reports too (a worker of an earlier version, or one that stopped
   *     reporting)
   */
  public record Pool(String pool, String topic, String group, int partitions, long lag, List<Member> members,
      List<PartitionLag> partitionLag) {
    public Pool {
      members = List.copyOf(members);
      partitionLag = List.copyOf(partitionLag);
    }
  }

  /**
   * A member of a consumer group.
   *
   * @param name the worker's or scheduler's name, from the member's client id
   */
  public record Member(String name, String clientId, String host, List<Integer> partitions, long lag) {
    public Member {
      partitions = List.copyOf(partitions);
    }
  }

  /**
   * A partition of a tasks topic: where it ends, what its group committed, and the difference.
   *
   * @param committed the group's committed offset; -1 when it committed none (the lag then counts from the start)
   * @param owner the member that holds it, or null
   */
  public record PartitionLag(int partition, long end, long committed, long lag, String owner) {}

  /** A member of the schedulers' group and the partitions of the graphs topic it owns. */
  public record Scheduler(String name, String clientId, String host, List<Integer> partitions) {
    public Scheduler {
      partitions = List.copyOf(partitions);
    }
  }

  /**
   * Dask's task stream: a row per worker thread, a span per task, over the last minute. Spans are arrays, to keep the
   * state pushed twice a second small: {@code [row, function, start, duration, state, key]}, {@code row} indexing
   * {@link #rows()}, {@code function} {@link #functions()}, {@code start} in ms after {@link #from()}, and
   * {@code state} 0 succeeded, 1 failed, 2 running (its duration up to now).
   *
   * @param rows a row per worker thread: at most 1,024 per worker and 5,000 in all (a report's thread count and
   *     thread numbers are not trusted further)
   * @param spansNotListed spans of the window left out (the newest 5,000 are listed, and none on a thread beyond the
   *     rows' bounds), and tasks the workers ran but only counted (a report lists a sample when it has many)
   */
  public record TaskStream(long from, long to, List<String> rows, List<String> functions, List<Span> spans,
      long spansNotListed) {
    public TaskStream {
      rows = List.copyOf(rows);
      functions = List.copyOf(functions);
      spans = List.copyOf(spans);
    }
  }

  /** A task on the task stream (see {@link TaskStream}). */
  @JsonFormat(shape = JsonFormat.Shape.ARRAY)
  @JsonPropertyOrder({"row", "function", "start", "duration", "state", "key"})
  public record Span(int row, int function, long start, long duration, int state, String key) {
    public static final int SUCCEEDED = 0;
    public static final int FAILED = 1;
    public static final int RUNNING = 2;
  }

  /**
   * A record put aside on the dead-letter topic.
   *
   * @param source where it was: {@code topic-partition@offset}
   * @param reason why it was put aside
   * @param truncated what was cut of it, or null
   * @param bytes the size of its value as kept
   */
  public record DeadLetter(long time, String source, String reason, String truncated, String key, int bytes,
      int partition, long offset) {}

  /** A graph rejected: why, and each problem with the keys it names (the first ten). */
  public record Rejection(long time, String graphId, String message, List<Problem> problems) {
    public Rejection {
      problems = List.copyOf(problems);
    }
  }

  public record Problem(String kind, List<String> keys, String message) {
    public Problem {
      keys = List.copyOf(keys);
    }
  }

  /**
   * A stream job, as {@code weft stream list} shows it.
   *
   * @param lag records of its inputs its instances reported not read yet
   * @param latencyP99Ms the worst instance's p99 latency from a record's timestamp to its commit
   */
  public record Stream(String name, String state, List<String> inputs, List<String> outputs, int instances,
      long recordsIn, long recordsOut, long deadLetters, double inPerSecond, double outPerSecond, long lag,
      long latencyP50Ms, long latencyP99Ms, List<String> errors) {
    public Stream {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
      errors = List.copyOf(errors);
    }
  }
}
