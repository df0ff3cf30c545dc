package dev.weft.diagnostics;

import dev.weft.scheduler.Callback;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Records when each task ran and where, as Dask's {@code Profiler}: the events of the last compute, and a summary per
 * function.
 *
 * <pre>{@code
 * Profiler profiler = new Profiler();
 * Weft.compute(graph, ComputeOptions.defaults().callbacks(profiler));
 * System.out.println(profiler.summary());
 * }</pre>
 */
public final class Profiler implements Callback {
  private final List<TaskEvent> events = new ArrayList<>();
  private long startNanos;
  private long endNanos;

  @Override
  public synchronized void start(GraphRun run) {
    events.clear();
    startNanos = System.nanoTime();
  }

  @Override
  public synchronized void posttask(GraphRun run, TaskEvent event) {
    events.add(event);
  }

  @Override
  public synchronized void finish(GraphRun run, Throwable failure) {
    endNanos = System.nanoTime();
  }

  /** The tasks of the last compute, in the order they finished. */
  public synchronized List<TaskEvent> events() {
    return Collections.unmodifiableList(new ArrayList<>(events));
  }

  /** Per function: calls, total, mean and longest time, most expensive first. */
  public synchronized Map<String, FunctionStats> byFunction() {
    Map<String, FunctionStats> stats = new LinkedHashMap<>();
    for (TaskEvent event : events) {
      stats.merge(event.function(), FunctionStats.of(event.durationNanos()), FunctionStats::plus);
    }
    List<Map.Entry<String, FunctionStats>> sorted = new ArrayList<>(stats.entrySet());
    sorted.sort(Comparator.comparingLong((Map.Entry<String, FunctionStats> e) -> e.getValue().totalNanos())
        .reversed());
    Map<String, FunctionStats> ordered = new LinkedHashMap<>();
    sorted.forEach(e -> ordered.put(e.getKey(), e.getValue()));
    return ordered;
  }

  /** A table of {@link #byFunction()} and the wall time of the compute. */
  public synchronized String summary() {
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-20s %10s %12s %12s %12s%n", "function",
        "calls", "total ms", "mean us", "max us"));
    byFunction().forEach((function, s) -> text.append(String.format(Locale.ROOT, "%-20s %10d %12.3f %12.3f %12.3f%n",
        function, s.calls(), s.totalNanos() / 1e6, s.totalNanos() / 1e3 / s.calls(), s.maxNanos() / 1e3)));
    text.append(String.format(Locale.ROOT, "%d tasks in %.3f ms wall time%n", events.size(),
        (endNanos - startNanos) / 1e6));
    return text.toString();
  }

  /** Time spent in one function. */
  public record FunctionStats(long calls, long totalNanos, long maxNanos) {
    static FunctionStats of(long nanos) {
      return new FunctionStats(1, nanos, nanos);
    }

    FunctionStats plus(FunctionStats other) {
      return new FunctionStats(calls + other.calls, totalNanos + other.totalNanos, Math.max(maxNanos, other.maxNanos));
    }
  }
}
