package dev.weft.dashboard.internal;

import dev.weft.broker.protocol.DeadLetters;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.WorkerReport;
import dev.weft.dashboard.ClusterState;
import dev.weft.graph.GraphValidationException;
import dev.weft.scheduler.ErrorText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What the view knows of the cluster, fed by its readers (records of the events, graphs, workers and dead-letters
 * topics; what Kafka's admin API says of the groups; the stream jobs) and turned into a {@link ClusterState} on
 * demand. Every part is bounded: the unfinished graphs tracked, the finished ones kept, the last minute of task spans,
 * the newest dead letters and rejections, the workers remembered. Time comes from the callers, so a test feeds records
 * and asks for the state at the times it chooses. Thread-safe: each call holds this object's lock.
 */
public final class ClusterModel {
  /** The task stream's window: Dask's last minute. */
  public static final long SPAN_WINDOW_MS = 60_000;
  /** Spans kept, and spans listed in a state: the newest. */
  static final int MAX_SPANS_KEPT = 50_000;
  static final int MAX_SPANS_LISTED = 5_000;
  /**
   * Task threads drawn per worker, and rows of the task stream in all: a worker's thread count and the thread numbers
   * of its tasks come from records of the workers topic, which must not make the state as large as they say. A span or
   * running task on a thread beyond these (or below 0) is counted, not drawn.
   */
  static final int MAX_THREADS_PER_WORKER = 1_024;
  static final int MAX_ROWS = 5_000;
  /**
   * Graphs a state lists per graph state (running, queued, completed, ...), the first: unfinished ones in the order they
   * were first seen, ended ones newest first. The rest are counted ({@link ClusterState#graphCounts()}): a state is
   * made twice a second while a page is open, and the view may track 10,000 unfinished graphs.
   */
  public static final int GRAPHS_LISTED = 200;
  /** The graph states, in the order a state lists them and counts them. */
  static final List<String> GRAPH_STATES = List.of("running", "queued", "completed", "failed", "cancelled",
      "rejected");
  static final int MAX_DEAD_LETTERS = 100;
  static final int MAX_REJECTIONS = 100;
  /** Graphs not finished tracked at most: a flood of submissions no scheduler takes must not grow the view. */
  static final int MAX_UNFINISHED = 10_000;
  /** Ids of ended graphs remembered, so that a late record of one (its submission read after its ending) is known. */
  static final int ENDED_IDS = 20_000;
  /** Workers remembered: a worker gone is kept this long, so that a graph's tasks can still say where they ran. */
  static final int MAX_WORKERS = 1_000;
  static final long FORGET_WORKER_MS = 10 * 60_000;
  /** Tasks per second are counted over a worker's reports of this window. */
  static final long RATE_WINDOW_MS = 10_000;
  static final int MAX_TEXT = 2_000;
  static final int MAX_KEY = 200;

  private final ClusterState.Rules rules;
  private final int finishedKept;
  private final Map<String, GraphEntry> unfinished = new LinkedHashMap<>();
  private final LinkedHashMap<String, GraphEntry> finished = new LinkedHashMap<>();
  private final LinkedHashMap<String, Boolean> endedIds = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > ENDED_IDS;
    }
  };
  private final Map<String, WorkerEntry> workers = new HashMap<>();
  private final Deque<SpanEntry> spans = new ArrayDeque<>();
  /** Per report: its time and the tasks it only counted, for the window's count of tasks not listed. */
  private final Deque<long[]> notListed = new ArrayDeque<>();
  private final Deque<ClusterState.DeadLetter> deadLetters = new ArrayDeque<>();
  private final Deque<ClusterState.Rejection> rejections = new ArrayDeque<>();
  private List<ClusterState.Pool> pools = List.of();
  private List<ClusterState.Scheduler> schedulers = List.of();
  private boolean groupsSeen;
  private List<ClusterState.Stream> streams = List.of();
  private final Map<String, String> problems = new TreeMap<>();
  private boolean topicsCaughtUp;
  private boolean streamsSeen;

  public ClusterModel(ClusterState.Rules rules, int finishedKept) {
    this.rules = rules;
    this.finishedKept = finishedKept;
  }

  public ClusterState.Rules rules() {
    return rules;
  }

  // --- graphs

  /** A graph was submitted (a record of the graphs topic at {@code partition}@{@code offset}). */
  public synchronized void onSubmission(String graphId, int partition, long offset, long timestamp) {
    GraphEntry graph = unfinished.get(graphId);
    if (graph == null && endedIds.containsKey(graphId)) {
      graph = finished.get(graphId); // read after its events (two topics have no order between them)
      if (graph == null) {
        return;
      }
    }
    if (graph == null) {
      if (unfinished.size() >= MAX_UNFINISHED) {
        problems.put("graphs", "more than " + MAX_UNFINISHED + " graphs unfinished; the newest are not shown");
        return;
      }
      graph = new GraphEntry(graphId, partition, timestamp);
      unfinished.put(graphId, graph);
    }
    if (graph.submitOffset < 0) { // the first submission stands; a second is a client's retry
      graph.submitOffset = offset;
      graph.submittedAt = timestamp;
      graph.partition = partition;
    }
  }

  /** An event of the events topic, from its partition {@code partition}. */
  public synchronized void onEvent(GraphEvent event, int partition, long timestamp) {
    if (endedIds.containsKey(event.graphId())) {
      return; // an ending again (the answer to a client's retry), or the outputs of a completion
    }
    GraphEntry graph = unfinished.get(event.graphId());
    if (graph == null) {
      if (unfinished.size() >= MAX_UNFINISHED && !event.type().isFinal()) {
        return;
      }
      graph = new GraphEntry(event.graphId(), partition, timestamp);
      unfinished.put(event.graphId(), graph);
    }
    if (event.total() > 0) {
      graph.done = event.done();
      graph.total = event.total();
    }
    if (!event.functions().isEmpty()) {
      graph.functions = event.functions().stream()
          .map(f -> new ClusterState.FunctionProgress(f.function(), f.done(), f.total())).toList();
    }
    switch (event.type()) {
      case ACCEPTED, PROGRESS, TASK_STARTED, TASK_DONE, OUTPUTS -> graph.state = "running";
      case COMPLETED -> {
        graph.done = graph.total;
        graph.functions = graph.functions.stream()
            .map(f -> new ClusterState.FunctionProgress(f.function(), f.total(), f.total())).toList();
        end(graph, "completed", timestamp);
      }
      case FAILED -> {
        graph.failedTask = event.taskKey();
        graph.failedFunction = event.function();
        graph.message = ErrorText.cut(event.message(), MAX_TEXT);
        end(graph, "failed", timestamp);
      }
      case CANCELLED -> {
        graph.message = ErrorText.cut(event.message(), MAX_TEXT);
        end(graph, "cancelled", timestamp);
      }
      case REJECTED -> {
        graph.message = ErrorText.cut(event.message(), MAX_TEXT);
        end(graph, "rejected", timestamp);
        List<ClusterState.Problem> listed = new ArrayList<>();
        for (GraphValidationException.Problem problem : event.problems()) {
          listed.add(new ClusterState.Problem(problem.kind().name(),
              problem.keys().subList(0, Math.min(10, problem.keys().size())),
              ErrorText.cut(problem.message(), MAX_TEXT)));
        }
        addBounded(rejections, new ClusterState.Rejection(timestamp, event.graphId(), graph.message, listed),
            MAX_REJECTIONS);
      }
      default -> { }
    }
  }

  private void end(GraphEntry graph, String state, long timestamp) {
    graph.state = state;
    graph.endedAt = timestamp;
    unfinished.remove(graph.id);
    endedIds.put(graph.id, Boolean.TRUE);
    finished.put(graph.id, graph);
    Iterator<String> oldest = finished.keySet().iterator();
    while (finished.size() > finishedKept && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }

  /** The graph of this id, if the view knows it: its partition and submission, for reading its tasks. */
  public synchronized ClusterState.Graph graph(String graphId, long now) {
    GraphEntry graph = unfinished.containsKey(graphId) ? unfinished.get(graphId) : finished.get(graphId);
    return graph == null ? null : graph.toState(now);
  }

  // --- workers

  public synchronized void onWorkerReport(WorkerReport report) {
    WorkerEntry worker = workers.computeIfAbsent(report.worker(), name -> new WorkerEntry());
    // Its finished spans go to the task stream; kept in the report too, up to 2,000 of them for each of up to 1,000
    // workers would be held for nothing.
    worker.last = report.finished().isEmpty() ? report : new WorkerReport(report.worker(), report.pool(),
        report.host(), report.pid(), report.time(), report.startedAt(), report.threads(), report.tasksRun(),
        report.tasksFailed(), report.cacheBytes(), report.cacheHits(), report.cacheMisses(), report.heapUsed(),
        report.heapMax(), report.partitions(), report.running(), List.of(), report.finishedNotListed(),
        report.leaving());
    worker.rates.addLast(new long[] {report.time(), report.tasksRun()});
    while (worker.rates.size() > 2 && worker.rates.peekFirst()[0] < report.time() - RATE_WINDOW_MS) {
      worker.rates.removeFirst();
    }
    for (WorkerReport.TaskSpan span : report.finished()) {
      spans.addLast(new SpanEntry(report.worker(), span.thread(), span.function(), cut(span.taskKey(), MAX_KEY),
          span.startMicros() / 1000, Math.max(0, span.durationMicros() / 1000),
          span.succeeded() ? ClusterState.Span.SUCCEEDED : ClusterState.Span.FAILED));
    }
    while (spans.size() > MAX_SPANS_KEPT) {
      spans.removeFirst();
    }
    if (report.finishedNotListed() > 0) {
      notListed.addLast(new long[] {report.time(), report.finishedNotListed()});
    }
    if (workers.size() > MAX_WORKERS) {
      workers.values().stream().min(Comparator.comparingLong(entry -> entry.last.time()))
          .ifPresent(oldest -> workers.remove(oldest.last.worker()));
    }
  }

  /**
   * Each worker's last report, the silent ones and those gone too (until forgotten): where tasks ran. Without their
   * finished spans (see the task stream).
   */
  public synchronized List<WorkerReport> lastReports() {
    return workers.values().stream().map(entry -> entry.last).toList();
  }

  // --- the rest

  public synchronized void onDeadLetter(int partition, long offset, long timestamp, String key, byte[] value,
      Headers headers) {
    addBounded(deadLetters, new ClusterState.DeadLetter(timestamp, header(headers, DeadLetters.SOURCE_HEADER),
        header(headers, DeadLetters.REASON_HEADER), header(headers, DeadLetters.TRUNCATED_HEADER), cut(key, MAX_KEY),
        value == null ? 0 : value.length, partition, offset), MAX_DEAD_LETTERS);
  }

  private static String header(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null ? null
        : ErrorText.cut(new String(header.value(), StandardCharsets.UTF_8), MAX_TEXT);
  }

  public synchronized void onGroups(List<ClusterState.Pool> pools, List<ClusterState.Scheduler> schedulers) {
    this.pools = List.copyOf(pools);
    this.schedulers = List.copyOf(schedulers);
    this.groupsSeen = true;
    problems.remove("groups");
    notifyAll();
  }

  public synchronized void onStreams(List<ClusterState.Stream> streams) {
    this.streams = List.copyOf(streams);
    this.streamsSeen = true;
    problems.remove("streams");
    notifyAll();
  }

  /** Something the view could not read lately, under a name of its source; null clears it. */
  public synchronized void problem(String source, String message) {
    if (message == null) {
      problems.remove(source);
    } else {
      problems.put(source, cut(message, MAX_TEXT));
      if (source.equals("streams")) {
        streamsSeen = true; // seen as far as it can be
      }
      if (source.equals("groups")) {
        groupsSeen = true;
      }
      notifyAll();
    }
  }

  public synchronized void topicsCaughtUp() {
    topicsCaughtUp = true;
    notifyAll();
  }

  /** Waits until {@link #caughtUp()}, at most {@code timeoutMs}; returns whether it is. */
  public synchronized boolean awaitCaughtUp(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!caughtUp()) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** Whether the topics were read to their ends of the start, and the groups and stream jobs asked for once. */
  public synchronized boolean caughtUp() {
    return topicsCaughtUp && groupsSeen && streamsSeen;
  }

  // --- the state

  /** The state, listing at most {@link #GRAPHS_LISTED} graphs of each graph state. */
  public synchronized ClusterState state(long now) {
    return state(now, GRAPHS_LISTED);
  }

  /** The state, listing at most {@code graphsPerState} graphs of each graph state; all are counted. */
  public synchronized ClusterState state(long now, int graphsPerState) {
    Map<String, int[]> counts = new LinkedHashMap<>(); // per state: graphs, and graphs listed
    GRAPH_STATES.forEach(state -> counts.put(state, new int[2]));
    List<ClusterState.Graph> graphs = new ArrayList<>();
    for (String state : List.of("running", "queued")) {
      for (GraphEntry graph : unfinished.values()) {
        if (graph.state.equals(state)) {
          list(graph, counts, graphsPerState, graphs, now);
        }
      }
    }
    List<GraphEntry> ended = new ArrayList<>(finished.values());
    for (int i = ended.size() - 1; i >= 0; i--) {
      list(ended.get(i), counts, graphsPerState, graphs, now);
    }
    Map<String, ClusterState.GraphCount> graphCounts = new LinkedHashMap<>();
    counts.forEach((state, count) -> graphCounts.put(state, new ClusterState.GraphCount(count[0], count[0] - count[1])));
    forgetOldWorkers(now);
    List<ClusterState.Worker> listed = listedWorkers(now);
    return new ClusterState(now, caughtUp(), rules, graphs, graphCounts, listed, pools, schedulers,
        taskStream(now, listed), newestFirst(deadLetters), newestFirst(rejections), streams,
        problems.values().stream().toList());
  }

  private static void list(GraphEntry graph, Map<String, int[]> counts, int max, List<ClusterState.Graph> graphs,
      long now) {
    int[] count = counts.computeIfAbsent(graph.state, state -> new int[2]);
    count[0]++;
    if (count[1] < max) {
      count[1]++;
      graphs.add(graph.toState(now));
    }
  }

  private void forgetOldWorkers(long now) {
    workers.values().removeIf(entry -> now - entry.last.time() > Math.max(FORGET_WORKER_MS, rules.goneAfterMs()));
  }

  /** The rule of {@link ClusterState.Rules}: listed while its last report is recent and did not say it leaves. */
  private List<ClusterState.Worker> listedWorkers(long now) {
    Map<String, ClusterState.Member> members = new HashMap<>();
    Map<String, Map<Integer, Long>> lagByPool = new HashMap<>();
    for (ClusterState.Pool pool : pools) {
      pool.members().forEach(member -> members.put(pool.pool() + "/" + member.name(), member));
      Map<Integer, Long> lags = new HashMap<>();
      pool.partitionLag().forEach(partition -> lags.put(partition.partition(), partition.lag()));
      lagByPool.put(pool.pool(), lags);
    }
    List<ClusterState.Worker> listed = new ArrayList<>();
    for (WorkerEntry entry : workers.values()) {
      WorkerReport report = entry.last;
      long silentMs = Math.max(0, now - report.time());
      if (report.leaving() || silentMs > rules.goneAfterMs()) {
        continue;
      }
      ClusterState.Member member = members.get(report.pool() + "/" + report.worker());
      List<Integer> partitions = member != null ? member.partitions() : report.partitions();
      Map<Integer, Long> lags = lagByPool.get(report.pool());
      long lag = lags == null ? -1 : partitions.stream().mapToLong(p -> lags.getOrDefault(p, 0L)).sum();
      List<ClusterState.RunningTask> running = report.running().stream()
          .map(task -> new ClusterState.RunningTask(task.graphId(), cut(task.taskKey(), MAX_KEY), task.function(),
              task.thread(), task.startMicros() / 1000)).toList();
      listed.add(new ClusterState.Worker(report.worker(), report.pool(), report.host(), report.pid(),
          report.startedAt(), report.time(), silentMs, silentMs > rules.silentAfterMs(), report.threads(),
          entry.tasksPerSecond(), report.tasksRun(), report.tasksFailed(), report.cacheBytes(), report.cacheHits(),
          report.cacheMisses(), report.heapUsed(), report.heapMax(), partitions, lag, member != null, running));
    }
    listed.sort(Comparator.comparing(ClusterState.Worker::pool).thenComparing(ClusterState.Worker::name));
    return listed;
  }

  private ClusterState.TaskStream taskStream(long now, List<ClusterState.Worker> listed) {
    long from = now - SPAN_WINDOW_MS;
    while (!spans.isEmpty() && spans.peekFirst().start + spans.peekFirst().duration < from) {
      spans.removeFirst();
    }
    while (!notListed.isEmpty() && notListed.peekFirst()[0] < from) {
      notListed.removeFirst();
    }
    long unlisted = notListed.stream().mapToLong(entry -> entry[1]).sum();
    // Rows: every thread of every listed worker, and any other thread that ran a task in the window, within bounds.
    TreeMap<String, TreeMap<Integer, Integer>> threads = new TreeMap<>();
    int[] rowCount = {0};
    for (ClusterState.Worker worker : listed) {
      int drawn = Math.min(worker.threads(), MAX_THREADS_PER_WORKER);
      for (int thread = 1; thread <= drawn; thread++) {
        if (!addRow(threads, rowCount, worker.name(), thread)) {
          break;
        }
      }
    }
    List<SpanEntry> shown = new ArrayList<>();
    Iterator<SpanEntry> newest = spans.descendingIterator();
    while (newest.hasNext()) {
      SpanEntry span = newest.next();
      if (shown.size() == MAX_SPANS_LISTED || !addRow(threads, rowCount, span.worker, span.thread)) {
        unlisted++;
        continue;
      }
      shown.add(span);
    }
    List<ClusterState.RunningTask> running = new ArrayList<>();
    List<ClusterState.Worker> runningOn = new ArrayList<>();
    for (ClusterState.Worker worker : listed) {
      for (ClusterState.RunningTask task : worker.runningTasks()) {
        if (!addRow(threads, rowCount, worker.name(), task.thread())) {
          unlisted++;
          continue;
        }
        running.add(task);
        runningOn.add(worker);
      }
    }
    List<String> rows = new ArrayList<>();
    threads.forEach((worker, numbers) -> numbers.replaceAll((thread, row) -> {
      rows.add(worker + " #" + thread);
      return rows.size() - 1;
    }));
    Map<String, Integer> functionNumbers = new LinkedHashMap<>();
    List<ClusterState.Span> listedSpans = new ArrayList<>();
    for (int i = shown.size() - 1; i >= 0; i--) { // oldest first, as they are drawn
      SpanEntry span = shown.get(i);
      int function = functionNumbers.computeIfAbsent(span.function, name -> functionNumbers.size());
      listedSpans.add(new ClusterState.Span(threads.get(span.worker).get(span.thread), function, span.start - from,
          span.duration, span.state, span.key));
    }
    for (int i = 0; i < running.size(); i++) {
      ClusterState.RunningTask task = running.get(i);
      ClusterState.Worker worker = runningOn.get(i);
      int function = functionNumbers.computeIfAbsent(task.function(), name -> functionNumbers.size());
      long start = Math.max(task.startedAt(), from);
      // A silent worker's task is drawn up to its last report: what became of it after is not known.
      long end = worker.silent() ? Math.max(start, worker.lastReportAt()) : now;
      listedSpans.add(new ClusterState.Span(threads.get(worker.name()).get(task.thread()), function, start - from,
          Math.max(0, end - start), ClusterState.Span.RUNNING, task.taskKey()));
    }
    return new ClusterState.TaskStream(from, now, rows, List.copyOf(functionNumbers.keySet()), listedSpans,
        unlisted);
  }

  /**
   * Makes sure the task stream has a row for {@code thread} of {@code worker}; false when it cannot: the thread number
   * is out of {@link #MAX_THREADS_PER_WORKER}'s range, or the stream has {@link #MAX_ROWS} rows already.
   */
  private static boolean addRow(TreeMap<String, TreeMap<Integer, Integer>> threads, int[] rowCount, String worker,
      int thread) {
    if (thread < 0 || thread > MAX_THREADS_PER_WORKER) {
      return false;
    }
    TreeMap<Integer, Integer> numbers = threads.get(worker);
    if (numbers != null && numbers.containsKey(thread)) {
      return true;
    }
    if (rowCount[0] >= MAX_ROWS) {
      return false;
    }
    threads.computeIfAbsent(worker, name -> new TreeMap<>()).put(thread, 0);
    rowCount[0]++;
    return true;
  }

  private static <T> void addBounded(Deque<T> deque, T item, int max) {
    deque.addLast(item);
    while (deque.size() > max) {
      deque.removeFirst();
    }
  }

  private static <T> List<T> newestFirst(Deque<T> deque) {
    List<T> list = new ArrayList<>(deque);
    java.util.Collections.reverse(list);
    return list;
  }

  static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  /** A graph as the view follows it. */
  private static final class GraphEntry {
    final String id;
    final long firstSeenAt;
    int partition;
    String state = "queued";
    long submitOffset = -1;
    long submittedAt = -1;
    long endedAt = -1;
    int done;
    int total;
    List<ClusterState.FunctionProgress> functions = List.of();
    String failedTask;
    String failedFunction;
    String message;

    GraphEntry(String id, int partition, long firstSeenAt) {
      this.id = id;
      this.partition = partition;
      this.firstSeenAt = firstSeenAt;
    }

    ClusterState.Graph toState(long now) {
      long since = submittedAt >= 0 ? Math.min(submittedAt, firstSeenAt) : firstSeenAt;
      long until = endedAt >= 0 ? endedAt : now;
      return new ClusterState.Graph(id, state, partition, submitOffset, submittedAt, endedAt, Math.max(0, until - since),
          done, total, functions, failedTask, failedFunction, message);
    }
  }

  /** A worker's last report, and its tasks run at each report of the rate window. */
  private static final class WorkerEntry {
    WorkerReport last;
    final Deque<long[]> rates = new ArrayDeque<>();

    double tasksPerSecond() {
      if (rates.size() < 2) {
        return 0;
      }
      long[] first = rates.peekFirst();
      long[] last = rates.peekLast();
      return last[0] == first[0] ? 0 : (last[1] - first[1]) * 1000.0 / (last[0] - first[0]);
    }
  }

  private record SpanEntry(String worker, int thread, String function, String key, long start, long duration,
      int state) {}
}
