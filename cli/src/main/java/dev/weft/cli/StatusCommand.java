package dev.weft.cli;

import dev.weft.dashboard.ClusterState;
import dev.weft.dashboard.ClusterView;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft status}: the cluster as the dashboard shows it, as text tables. */
@Command(name = "status", description = {
    "Print the state of a running deployment, as the dashboard shows it, read from Kafka (no scheduler needed): "
        + "graphs with their progress and age, workers with their tasks running, tasks/s, heap and lag, the "
        + "schedulers with the graph partitions each owns, dead letters, rejections and stream jobs.",
    "A worker is silent when its last report is over weft.dashboard.worker.silent.ms (2 s) old, and left out when "
        + "it is over weft.dashboard.worker.gone.ms (10 s) old."})
final class StatusCommand implements Callable<Integer> {
  /** Finished graphs listed: the newest; the rest are counted. */
  private static final int FINISHED_LISTED = 10;
  private static final int MAX_CELL = 60;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "PT15S",
      description = "Longest wait for the view to read Kafka, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> config = connection.reachableConfig();
    try (ClusterView view = ClusterView.start(config)) {
      boolean caughtUp = view.awaitCaughtUp(wait);
      print(view.state(), caughtUp, System.out);
    }
    return Main.OK;
  }

  static void print(ClusterState state, boolean caughtUp, PrintStream out) {
    if (!caughtUp) {
      out.printf("(not everything was read within the wait: what follows may be partial)%n");
    }
    printGraphs(state, out);
    printWorkers(state, out);
    out.println();
    out.printf("schedulers: %d%n", state.schedulers().size());
    TextTable schedulers = new TextTable(List.of("scheduler", "host", "graph partitions"));
    state.schedulers().forEach(s -> schedulers.row(s.name(), s.host(), ranges(s.partitions())));
    if (!schedulers.isEmpty()) {
      schedulers.print(out, "  ");
    }
    out.println();
    out.printf("dead letters: %d%s%n", state.deadLetters().size(),
        state.deadLetters().isEmpty() ? "" : " (newest: " + state.deadLetters().get(0).source() + ": "
            + cut(state.deadLetters().get(0).reason(), 120) + ")");
    out.printf("rejections: %d%s%n", state.rejections().size(),
        state.rejections().isEmpty() ? "" : " (newest: " + state.rejections().get(0).graphId() + ": "
            + cut(state.rejections().get(0).message(), 120) + ")");
    out.printf("stream jobs: %s%n", state.streams().isEmpty() ? "none" : state.streams().stream()
        .map(s -> String.format(Locale.ROOT, "%s (%s, %.1f in/s, lag %d, p99 %d ms)", s.name(), s.state(),
            s.inPerSecond(), s.lag(), s.latencyP99Ms())).collect(Collectors.joining(", ")));
    for (String problem : state.problems()) {
      out.printf("could not read: %s%n", problem);
    }
  }

  private static void printGraphs(ClusterState state, PrintStream out) {
    Map<String, ClusterState.GraphCount> counts = state.graphCounts();
    ToIntFunction<String> count = name -> counts.containsKey(name) ? counts.get(name).count() : 0;
    out.printf("graphs: %d running, %d queued, %d completed, %d failed, %d cancelled, %d rejected%n",
        count.applyAsInt("running"), count.applyAsInt("queued"), count.applyAsInt("completed"),
        count.applyAsInt("failed"), count.applyAsInt("cancelled"), count.applyAsInt("rejected"));
    TextTable table = new TextTable(List.of("graph", "state", "done/total", "age", "progress by function"), 2, 3);
    List<String> causes = new ArrayList<>();
    int finished = 0;
    for (ClusterState.Graph graph : state.graphs()) {
      if (graph.isFinished() && finished++ >= FINISHED_LISTED) {
        continue;
      }
      String functions = graph.functions().stream().map(f -> f.function() + " " + f.done() + "/" + f.total())
          .collect(Collectors.joining(", "));
      table.row(cut(graph.id(), 40), graph.state(), graph.total() == 0 ? "-" : graph.done() + "/" + graph.total(),
          seconds(graph.ageMs()), cut(functions, 80));
      if (graph.message() != null) {
        causes.add(cut(graph.id(), 40) + " " + graph.state() + ": " + (graph.failedTask() == null ? ""
            : "task " + graph.failedTask() + " (" + graph.failedFunction() + "): ") + cut(oneLine(graph.message()),
            160));
      }
    }
    if (!table.isEmpty()) {
      table.print(out, "  ");
    }
    for (String unfinished : List.of("running", "queued")) {
      int notListed = counts.containsKey(unfinished) ? counts.get(unfinished).notListed() : 0;
      if (notListed > 0) {
        out.printf("  (and %d %s graphs more)%n", notListed, unfinished);
      }
    }
    int finishedAll = counts.values().stream().mapToInt(ClusterState.GraphCount::count).sum()
        - count.applyAsInt("running") - count.applyAsInt("queued");
    if (finishedAll > FINISHED_LISTED) {
      out.printf("  (and %d finished graphs more)%n", finishedAll - FINISHED_LISTED);
    }
    causes.forEach(cause -> out.println("  " + cause));
  }

  private static void printWorkers(ClusterState state, PrintStream out) {
    out.println();
    out.printf("workers: %d%n", state.workers().size());
    TextTable table = new TextTable(List.of("worker", "pool", "host (pid)", "running", "tasks/s", "heap", "lag",
        "partitions", "last report"), 3, 4, 5, 6);
    for (ClusterState.Worker w : state.workers()) {
      table.row(w.name(), w.pool(), w.host() + " (" + w.pid() + ")", w.runningTasks().size() + "/" + w.threads(),
          String.format(Locale.ROOT, "%.1f", w.tasksPerSecond()), mebibytes(w.heapUsed()) + "/"
              + mebibytes(w.heapMax()), w.lag() < 0 ? "?" : Long.toString(w.lag()), ranges(w.partitions()),
          w.silent() ? "silent for " + seconds(w.silentMs()) : seconds(w.silentMs()) + " ago");
    }
    if (!table.isEmpty()) {
      table.print(out, "  ");
    }
    for (ClusterState.Pool pool : state.pools()) {
      Set<String> reporting = state.workers().stream().filter(w -> w.pool().equals(pool.pool()))
          .map(ClusterState.Worker::name).collect(Collectors.toSet());
      String others = pool.members().stream().filter(m -> !reporting.contains(m.name()))
          .map(m -> m.name() + " (partitions " + ranges(m.partitions()) + ")").collect(Collectors.joining(", "));
      out.printf("  pool %s: %d in its group, %d partitions, lag %d%s%n", pool.pool(), pool.members().size(),
          pool.partitions(), pool.lag(), others.isEmpty() ? "" : "; members without reports: " + others);
    }
  }

  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", Math.max(0, millis) / 1000.0);
  }

  private static String mebibytes(long bytes) {
    return bytes < 0 ? "?" : (bytes >> 20) + " MiB";
  }

  /** {@code 0-3,5,7-8}. */
  static String ranges(List<Integer> numbers) {
    if (numbers.isEmpty()) {
      return "-";
    }
    List<Integer> sorted = numbers.stream().sorted().toList();
    StringBuilder text = new StringBuilder();
    int start = sorted.get(0);
    int previous = start;
    for (int i = 1; i <= sorted.size(); i++) {
      Integer next = i < sorted.size() ? sorted.get(i) : null;
      if (next != null && next == previous + 1) {
        previous = next;
        continue;
      }
      text.append(text.length() == 0 ? "" : ",").append(start == previous ? "" + start : start + "-" + previous);
      if (next != null) {
        start = previous = next;
      }
    }
    return text.toString();
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\s+", " ");
  }

  private static String cut(String text, int max) {
    if (text == null) {
      return "";
    }
    return text.length() <= max ? text : text.substring(0, Math.max(0, max - 3)) + "...";
  }
}
