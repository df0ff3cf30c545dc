package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.broker.client.GraphFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The outcome of a failure drill: what became of each graph submitted through it, and how long recovery took. Prints
 * one line per drill ({@code DRILL name: submitted ..., right ..., wrong ..., failed ..., hung ..., recovery ...}), the
 * figures the failure-semantics section of the README quotes, and fails unless every graph ended as it should.
 */
final class Drill {
  private final String name;
  private final List<CompletableFuture<Map<String, Object>>> graphs = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final List<Object> expected = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private int right;
  private int wrong;
  private int failed;
  private int hung;

  Drill(String name) {
    this.name = name;
  }

  /** A graph whose output {@code key} must come out as {@code value}. */
  GraphFuture track(GraphFuture graph, String key, Object value) {
    track(graph.graphId(), graph, key, value);
    return graph;
  }

  /** A graph followed some other way than by a client's future (submitted by another program, say). */
  void track(String graphId, CompletableFuture<Map<String, Object>> outputs, String key, Object value) {
    graphs.add(outputs);
    names.add(graphId);
    expected.add(Map.of(key, value));
  }

  /** Something measured, such as a recovery time, for the report line. */
  void note(String format, Object... args) {
    notes.add(String.format(Locale.ROOT, format, args));
  }

  /** Waits for every graph (all of them within {@code timeout}), reports, and fails unless all came out right. */
  void awaitAll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < graphs.size(); i++) {
      CompletableFuture<Map<String, Object>> graph = graphs.get(i);
      String id = names.get(i);
      try {
        Object values = graph.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (expected.get(i).equals(values)) {
          right++;
        } else {
          wrong++;
          problems.add(id + " computed " + values + ", not " + expected.get(i));
        }
      } catch (ExecutionException | CancellationException e) {
        failed++;
        problems.add(id + " failed: " + (e.getCause() != null ? e.getCause() : e));
      } catch (TimeoutException e) {
        hung++;
        problems.add(id + " hung" + (graph instanceof GraphFuture
            ? " at " + ((GraphFuture) graph).done() + "/" + ((GraphFuture) graph).total() : ""));
      }
    }
    report();
    assertEquals(List.of(), problems, name);
  }

  /** Prints the report line as it stands. */
  void report() {
    System.out.printf(Locale.ROOT, "DRILL %s: submitted %d, right %d, wrong %d, failed %d, hung %d%s%n", name,
        graphs.size(), right, wrong, failed, hung, notes.isEmpty() ? "" : "; " + String.join("; ", notes));
  }

  /** Seconds since {@code startNanos}, for notes. */
  static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Waits until the graphs have done, together, at least {@code tasks} tasks. */
  static void awaitProgress(List<GraphFuture> graphs, int tasks, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (graphs.stream().mapToInt(GraphFuture::done).sum() < tasks) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the graphs did only " + graphs.stream().mapToInt(GraphFuture::done).sum() + " of "
            + tasks + " tasks within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /** How many tasks each graph has done, to see later which moved on. */
  static int[] doneOf(List<GraphFuture> graphs) {
    return graphs.stream().mapToInt(GraphFuture::done).toArray();
  }

  /** Waits until every graph that had not ended has done more than {@code before} says; returns when that was. */
  static void awaitEveryGraphMovedOn(List<GraphFuture> graphs, int[] before, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean allMoved = true;
      for (int i = 0; i < graphs.size(); i++) {
        allMoved &= graphs.get(i).isDone() || graphs.get(i).done() > before[i];
      }
      if (allMoved) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("graphs never moved on within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /** Waits until {@code graph} has done at least {@code tasks} tasks. */
  static void awaitProgress(GraphFuture graph, int tasks, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (graph.done() < tasks) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("graph " + graph.graphId() + " reached only " + graph.done() + " of " + tasks
            + " tasks within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
