package dev.weft.testkit;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.GraphValidationException;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.scheduler.Weft;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every scheduler must do, as Dask's {@code GetFunctionTestMixin}: a scheduler's test class extends this and
 * says how to select the scheduler. The same graphs must give the same values on sync, threads, processes and broker.
 */
public abstract class SchedulerConformanceSuite {
  /** The options that select the scheduler under test. */
  protected abstract ComputeOptions scheduler();

  /** Whether the scheduler encodes values (and so refuses non-values and returns canonical ones). */
  protected boolean encodesValues() {
    return true;
  }

  protected Map<String, Object> compute(Graph graph, String... keys) {
    return Weft.compute(graph, scheduler(), keys);
  }

  protected Map<String, Object> compute(Graph graph, ComputeOptions extra, String... keys) {
    return Weft.compute(graph, extra.over(scheduler()), keys);
  }

  @TempDir
  protected Path temp;

  @Test
  void wide() {
    assertEquals(Map.of("sum", Shapes.wideResult(1000)), compute(Shapes.wide(1000)));
  }

  @Test
  void chain() {
    assertEquals(Map.of("chain-999", 1000L), compute(Shapes.chain(1000)));
  }

  @Test
  void diamond() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "inc", ref("a"))
        .task("c", "mul", ref("a"), 10L)
        .task("d", "add", ref("b"), ref("c"))
        .build();
    assertEquals(Map.of("d", 23L), compute(graph));
  }

  @Test
  void treeReduction() {
    assertEquals(Map.of("tree", 1024L * 1025 / 2), compute(Shapes.tree(1024)));
  }

  @Test
  void nestedArguments() {
    Graph graph = Graph.builder()
        .task("x", "inc", 1L)
        .task("y", "inc", ref("x"))
        .task("nested", "list", 1L, List.of(ref("x"), List.of(ref("y"), "z")), List.of(7L, 8L))
        .task("total", "sum", List.of(ref("x"), ref("y"), 100L))
        .build();
    assertEquals(List.of(1L, List.of(2L, List.of(3L, "z")), List.of(7L, 8L)), compute(graph, "nested").get("nested"));
    assertEquals(105L, compute(graph, "total").get("total"));
  }

  @Test
  void sameInputTwiceInOneTask() {
    Graph graph = Graph.builder().task("a", "inc", 2L).task("square", "mul", ref("a"), ref("a")).build();
    assertEquals(Map.of("square", 9L), compute(graph));
  }

  @Test
  void computesOnlyWhatTheKeysNeed() throws Exception {
    Path calls = temp.resolve("calls");
    Graph graph = Graph.builder()
        .task("needed", "count", calls.toString(), 1L)
        .task("wanted", "inc", ref("needed"))
        .task("unneeded", "fail", "must not run: not needed by 'wanted'")
        .task("also-unneeded", "inc", ref("unneeded"))
        .build();
    assertEquals(Map.of("wanted", 2L), compute(graph, "wanted"));
    assertEquals(1, TestFunctions.calls(calls));
  }

  @Test
  void intermediateKeysCanBeOutputs() {
    Graph graph = Shapes.chain(10);
    Map<String, Object> values = compute(graph, "chain-3", "chain-9", "chain-0");
    assertEquals(List.of("chain-3", "chain-9", "chain-0"), new ArrayList<>(values.keySet()));
    assertEquals(List.of(4L, 10L, 1L), new ArrayList<>(values.values()));
  }

  @Test
  void manyOutputs() {
    GraphBuilder builder = Graph.builder();
    String[] keys = new String[500];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "out-" + (keys.length - i);
      builder.task(keys[i], "mul", (long) i, 2L);
    }
    Map<String, Object> values = compute(builder.build(), keys);
    assertEquals(Arrays.asList(keys), new ArrayList<>(values.keySet()));
    for (int i = 0; i < keys.length; i++) {
      assertEquals(2L * i, values.get(keys[i]));
    }
  }

  @Test
  void defaultOutputsAreTheTasksNothingDependsOn() {
    Graph graph = Graph.builder().task("a", "inc", 1L).task("b", "inc", ref("a")).task("c", "neg", 5L).build();
    assertEquals(Map.of("b", 3L, "c", -5L), Weft.compute(graph, scheduler()));
  }

  @Test
  void emptyGraph() {
    assertEquals(Map.of(), Weft.compute(Graph.empty(), scheduler()));
  }

  @Test
  void valuesOfEveryTypeRoundTrip() {
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Point\",\"namespace\":\"test\","
        + "\"fields\":[{\"name\":\"x\",\"type\":\"long\"},{\"name\":\"label\",\"type\":\"string\"}]}");
    GenericRecord point = new GenericData.Record(schema);
    point.put("x", 3L);
    point.put("label", "p");
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("k", 1L);
    map.put("nothing", null);
    List<Object> values = Arrays.asList(null, true, 7, 8L, 1.5f, 2.5d, "text", ByteBuffer.wrap(new byte[] {1, 2, 3}),
        List.of(1L, "two"), map, point);
    GraphBuilder builder = Graph.builder();
    String[] keys = new String[values.size()];
    for (int i = 0; i < values.size(); i++) {
      keys[i] = "v" + i;
      builder.task(keys[i], "identity", values.get(i));
    }
    Map<String, Object> results = compute(builder.build(), keys);
    for (int i = 0; i < values.size(); i++) {
      Object expected = values.get(i);
      Object actual = results.get(keys[i]);
      if (expected instanceof GenericRecord) {
        assertEquals(3L, ((GenericRecord) actual).get("x"));
        assertEquals("p", ((GenericRecord) actual).get("label").toString());
        assertEquals(schema, ((GenericRecord) actual).getSchema());
      } else {
        assertEquals(expected, actual, "value " + keys[i]);
      }
    }
  }

  @Test
  void failingTaskNamesItsKeyAndFunctionAndCarriesTheCause() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("bad", "fail", "broken on purpose")
        .task("after", "add", ref("a"), ref("bad"))
        .build();
    TaskFailedException failure = assertThrows(TaskFailedException.class, () -> compute(graph));
    assertEquals("bad", failure.key());
    assertEquals("fail", failure.function());
    assertTrue(failure.getMessage().contains("broken on purpose"), failure.getMessage());
    assertTrue(failure.getCause().getMessage().contains("broken on purpose"), String.valueOf(failure.getCause()));
  }

  @Test
  void failingTaskAmongManyRunningStopsTheGraph() throws Exception {
    Path calls = temp.resolve("after-failure");
    GraphBuilder builder = Graph.builder();
    List<Arg> sleepers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      builder.task("sleep-" + i, "sleep", 20L, (long) i);
      sleepers.add(ref("sleep-" + i));
    }
    builder.task("bad", "fail", "one of many");
    // Nothing that depends on the failed task may run.
    builder.task("after", "count", calls.toString(), ref("bad"));
    builder.task("total", "sum", sleepers);
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> compute(builder.build(), "after", "total"));
    assertEquals("bad", failure.key());
    assertEquals(0, TestFunctions.calls(calls));
    // The scheduler is not wedged by the tasks still sleeping.
    assertEquals(Map.of("sum", Shapes.wideResult(100)), compute(Shapes.wide(100)));
  }

  @Test
  void retriesAFailingTaskUpToItsBudget() throws Exception {
    Path calls = temp.resolve("flaky");
    Graph graph = Graph.builder()
        .task(dev.weft.graph.Task.of("flaky", "flaky", calls.toString(), 2L, "ok").withRetries(2))
        .build();
    assertEquals(Map.of("flaky", "ok"), compute(graph));
    assertEquals(3, TestFunctions.calls(calls));

    Path moreCalls = temp.resolve("flaky-more");
    Graph tooFlaky = Graph.builder()
        .task(dev.weft.graph.Task.of("flaky", "flaky", moreCalls.toString(), 5L, "ok").withRetries(1))
        .build();
    TaskFailedException failure = assertThrows(TaskFailedException.class, () -> compute(tooFlaky));
    assertEquals("flaky", failure.key());
    assertEquals(2, TestFunctions.calls(moreCalls));
    // The attempts travel as a field, and TaskFailedException words them the same on every scheduler.
    assertEquals(2, failure.attempts());
    assertTrue(failure.getMessage().startsWith("task 'flaky' (function flaky) failed: "), failure.getMessage());
    assertTrue(failure.getMessage().endsWith(" (after 2 attempts)"), failure.getMessage());
  }

  @Test
  void cycleIsRefusedBeforeAnyTaskRuns() throws Exception {
    Path calls = temp.resolve("cycle");
    Graph graph = Graph.builder()
        .task("start", "count", calls.toString(), 1L)
        .task("a", "add", ref("start"), ref("c"))
        .task("b", "inc", ref("a"))
        .task("c", "inc", ref("b"))
        .build();
    GraphValidationException failure = assertThrows(GraphValidationException.class, () -> compute(graph, "c"));
    assertEquals(GraphValidationException.Kind.CYCLE, failure.problems().get(0).kind());
    assertTrue(failure.getMessage().contains("a -> c -> b -> a") || failure.getMessage().contains("c -> b -> a -> c")
        || failure.getMessage().contains("b -> a -> c -> b"), failure.getMessage());
    assertEquals(0, TestFunctions.calls(calls));
  }

  /** A graph with a cycle is invalid as a whole, even where the keys computed do not need the cycle. */
  @Test
  void aCycleTheKeysDoNotNeedIsRefusedAllTheSame() {
    Graph graph = Graph.builder().task("a", "inc", ref("b")).task("b", "inc", ref("a")).task("c", "inc", 1L)
        .build();
    GraphValidationException failure = assertThrows(GraphValidationException.class, () -> compute(graph, "c"));
    assertEquals(GraphValidationException.Kind.CYCLE, failure.problems().get(0).kind());
    Graph allCycle = Graph.builder().task("a", "inc", ref("b")).task("b", "inc", ref("a")).build();
    assertEquals(GraphValidationException.Kind.CYCLE, assertThrows(GraphValidationException.class,
        () -> compute(allCycle)).problems().get(0).kind(), "a graph that is all cycle has no outputs to compute");
  }

  /** A graph whose declared outputs name a key it does not have is refused, naming the key. */
  @Test
  void anOutputNamingAMissingKeyIsRefused() {
    Graph graph = Graph.builder().task("a", "inc", 1L).outputs("zz").build();
    GraphValidationException failure = assertThrows(GraphValidationException.class, () -> compute(graph));
    assertTrue(failure.getMessage().contains("requested key 'zz' is not in the graph"), failure.getMessage());
    assertThrows(GraphValidationException.class, () -> graph.validate(null), "validate agrees");
  }

  @Test
  void missingDependencyAndUnknownKeyAreRefused() {
    Graph graph = Graph.builder().task("a", "inc", ref("nowhere")).build();
    GraphValidationException missing = assertThrows(GraphValidationException.class, () -> compute(graph));
    assertTrue(missing.getMessage().contains("task 'a' references missing key 'nowhere'"), missing.getMessage());

    GraphValidationException unknown = assertThrows(GraphValidationException.class,
        () -> compute(Shapes.chain(3), "chain-7"));
    assertTrue(unknown.getMessage().contains("requested key 'chain-7' is not in the graph"), unknown.getMessage());
  }

  /** A call with another number of arguments than its function takes is refused before anything runs. */
  @Test
  void aCallWithTheWrongNumberOfArgumentsIsRefusedBeforeItRuns() throws Exception {
    Path calls = temp.resolve("wrong-arity");
    Graph graph = Graph.builder().task("first", "count", calls.toString(), 1L).task("a", "inc", 1L, 2L, 3L)
        .task("b", "add", ref("first")).build();
    GraphValidationException failure = assertThrows(GraphValidationException.class, () -> compute(graph));
    assertEquals(List.of(GraphValidationException.Kind.WRONG_ARGUMENTS, GraphValidationException.Kind.WRONG_ARGUMENTS),
        failure.problems().stream().map(GraphValidationException.Problem::kind).toList());
    assertTrue(failure.getMessage().contains("task 'a' calls inc with 3 arguments; it takes 1"), failure.getMessage());
    assertTrue(failure.getMessage().contains("task 'b' calls add with 1 argument; it takes 2"), failure.getMessage());
    assertEquals(0, TestFunctions.calls(calls));
  }

  /**
   * Arguments that cannot be of their parameter's declared type are refused before anything runs: a literal of
   * another type, a list for a number, the result of a function declared to return another type. An argument whose
   * type only the run can tell (the result of {@code identity}, which returns any value) is let through.
   */
  @Test
  void aCallWithArgumentsOfTheWrongTypesIsRefusedBeforeItRuns() throws Exception {
    Path calls = temp.resolve("wrong-types");
    Graph graph = Graph.builder()
        .task("first", "count", calls.toString(), 1L)
        .task("a", "inc", "one")
        .task("n", "length", "abc")
        .task("b", "upper", ref("n"))
        .task("c", "range", 1.5d)
        .task("d", "neg", Arg.list(ref("first")))
        .task("fine", "upper", ref("any"))
        .task("any", "identity", "x")
        .task("widened", "range", 3)
        .build();
    GraphValidationException failure = assertThrows(GraphValidationException.class, () -> compute(graph));
    assertEquals(List.of("a", "b", "c", "d"), failure.problems().stream()
        .peek(problem -> assertEquals(GraphValidationException.Kind.WRONG_ARGUMENTS, problem.kind()))
        .flatMap(problem -> problem.keys().stream()).toList(), failure.getMessage());
    assertTrue(failure.getMessage().contains("task 'a' passes the literal 'one' (String) to inc as argument 1, which "
        + "must be a number (inc: (number) -> number)"), failure.getMessage());
    assertTrue(failure.getMessage().contains("task 'b' passes the result of 'n' (length returns a long) to upper as "
        + "argument 1, which must be a string (upper: (string) -> string)"), failure.getMessage());
    assertTrue(failure.getMessage().contains("task 'c' passes the literal 1.5 (Double) to range"), failure.getMessage());
    assertTrue(failure.getMessage().contains("task 'd' passes a list to neg"), failure.getMessage());
    assertEquals(0, TestFunctions.calls(calls));
  }

  /**
   * What validation could not see is checked when the task runs, with a message that names the function and the
   * argument (not a ClassCastException); an int where a long is declared is widened on the way in.
   */
  @Test
  void anArgumentOfTheWrongTypeAtRunTimeFailsItsTaskNamingTheFunction() {
    Graph graph = Graph.builder().task("five", "identity", 5L).task("shout", "upper", ref("five")).build();
    TaskFailedException failure = assertThrows(TaskFailedException.class, () -> compute(graph));
    assertEquals("shout", failure.key());
    assertTrue(failure.getCause().getMessage().contains("upper: argument 1 must be a string, got Long 5 (signature "
        + "(string) -> string)"), failure.getCause().getMessage());
    Graph widened = Graph.builder().task("three", "identity", 3).task("r", "range", ref("three")).build();
    assertEquals(List.of(0L, 1L, 2L), compute(widened, "r").get("r"));
  }

  @Test
  void unknownFunctionIsRefusedWithItsName() {
    Graph graph = Graph.builder().task("a", "no-such-function", 1L).build();
    RuntimeException failure = assertThrows(RuntimeException.class, () -> compute(graph));
    assertTrue(failure.getMessage().contains("unknown function 'no-such-function'"), failure.getMessage());
    assertTrue(failure.getMessage().contains("'a'"), failure.getMessage());
  }

  @Test
  void callbacksSeeEveryTaskBetweenStartAndFinish() {
    List<String> seen = new ArrayList<>();
    Callback recorder = new Callback() {
      @Override
      public void start(GraphRun run) {
        seen.add("start " + run.taskCount());
      }

      @Override
      public void pretask(GraphRun run, String key) {
        seen.add("pre " + key);
      }

      @Override
      public void posttask(GraphRun run, TaskEvent event) {
        seen.add("post " + event.key() + "=" + event.result());
        assertTrue(event.endNanos() >= event.startNanos());
      }

      @Override
      public void finish(GraphRun run, Throwable failure) {
        seen.add("finish " + failure);
      }
    };
    compute(Shapes.chain(3), ComputeOptions.defaults().callbacks(recorder));
    assertEquals(List.of("start 3", "pre chain-0", "post chain-0=1", "pre chain-1", "post chain-1=2", "pre chain-2",
        "post chain-2=3", "finish null"), seen);
  }

  /** A callback that records what it is told, by name, in {@code seen}. */
  private static Callback recorder(String name, List<String> seen) {
    return new Callback() {
      @Override
      public void start(GraphRun run) {
        seen.add(name + " start");
      }

      @Override
      public void pretask(GraphRun run, String key) {
        seen.add(name + " pre " + key);
      }

      @Override
      public void finish(GraphRun run, Throwable failure) {
        seen.add(name + " finish " + failure);
      }
    };
  }

  @Test
  void aCallbackThatThrowsInStartFailsTheComputeAndOnlyStartedCallbacksFinish() {
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    IllegalStateException broken = new IllegalStateException("callback broken on purpose");
    Callback throwing = new Callback() {
      @Override
      public void start(GraphRun run) {
        throw broken;
      }

      @Override
      public void finish(GraphRun run, Throwable failure) {
        seen.add("throwing finish");
      }
    };
    ComputeOptions callbacks = ComputeOptions.defaults().callbacks(recorder("first", seen), throwing,
        recorder("third", seen));
    RuntimeException thrown = assertThrows(RuntimeException.class, () -> compute(Shapes.chain(3), callbacks));
    assertSame(broken, thrown);
    assertEquals(List.of("first start", "first finish " + broken), seen);
  }

  @Test
  void aCallbackThatThrowsInPretaskFailsTheComputeWithWhatItThrew() {
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    IllegalStateException broken = new IllegalStateException("pretask broken on purpose");
    Callback throwing = new Callback() {
      @Override
      public void pretask(GraphRun run, String key) {
        throw broken;
      }
    };
    RuntimeException thrown = assertThrows(RuntimeException.class, () -> compute(Shapes.chain(3),
        ComputeOptions.defaults().callbacks(recorder("watcher", seen), throwing)));
    assertSame(broken, thrown);
    assertEquals(List.of("watcher start", "watcher pre chain-0", "watcher finish " + broken), seen);
  }

  @Test
  void aGraphRefusedBeforeItStartsCallsNoCallback() {
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    Graph cycle = Graph.builder().task("a", "inc", ref("b")).task("b", "inc", ref("a")).build();
    assertThrows(GraphValidationException.class, () -> compute(cycle,
        ComputeOptions.defaults().callbacks(recorder("watcher", seen)), "a"));
    assertEquals(List.of(), seen);
  }

  /**
   * Tasks that each compute a graph of their own, as many as the threads pool under test has threads: each holds one
   * thread while it waits for its graph, whose tasks must still run. And only the outermost compute uses the global and
   * scoped callbacks: one callback must never see two graphs at once.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120) // a deadlock of nested computes must fail the test, not hang the suite
  void nestedComputesFinishAndOnlyTheOutermostUsesGlobalAndScopedCallbacks() {
    List<String> global = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> scoped = java.util.Collections.synchronizedList(new ArrayList<>());
    ComputeOptions before = Weft.globalOptions();
    Weft.configure(before.callbacks(recorder("global", global)));
    Graph graph = Graph.builder().task("n1", "nested-sum", 50L).task("n2", "nested-sum", 60L)
        .task("total", "add", ref("n1"), ref("n2")).build();
    Map<String, Object> values;
    try (Weft.Scope scope = Weft.scoped(ComputeOptions.defaults().callbacks(recorder("scoped", scoped)))) {
      values = compute(graph);
    } finally {
      Weft.configure(before);
    }
    assertEquals(Map.of("total", 50L * 51 / 2 + 60L * 61 / 2), values);
    for (List<String> seen : List.of(global, scoped)) {
      String name = seen == global ? "global" : "scoped";
      assertEquals(name + " start", seen.get(0), seen.toString());
      assertEquals(name + " finish null", seen.get(seen.size() - 1), seen.toString());
      assertEquals(java.util.Set.of(name + " pre n1", name + " pre n2", name + " pre total"),
          new java.util.HashSet<>(seen.subList(1, seen.size() - 1)), "only the outer graph's tasks: " + seen);
      assertEquals(5, seen.size(), seen.toString());
    }
  }

  @Test
  void priorityChoosesAmongReadyTasks() {
    // With one task in flight at a time, the higher priority among ready tasks runs first; the callbacks show it.
    List<String> order = new ArrayList<>();
    Callback recorder = new Callback() {
      @Override
      public void pretask(GraphRun run, String key) {
        order.add(key);
      }
    };
    Graph graph = Graph.builder()
        .task("low", "inc", 1L)
        .task(dev.weft.graph.Task.of("high", "inc", 2L).withPriority(10))
        .task("both", "add", ref("low"), ref("high"))
        .build();
    compute(graph, ComputeOptions.defaults().maxInFlight(1).callbacks(recorder));
    assertEquals(List.of("high", "low", "both"), order);
  }

  @Test
  void largeGraph() {
    Graph graph = Shapes.wide(99_999);
    assertEquals(100_000, graph.size());
    assertEquals(Map.of("sum", Shapes.wideResult(99_999)), compute(graph));
  }

  /**
   * A graph whose every task is an output: its answer names 100,000 results, more than one record of the broker's
   * events carries, and is read back whole (the broker used to hang here, its completion too large for its topic).
   */
  @Test
  @org.junit.jupiter.api.Timeout(300)
  void aGraphWithOneHundredThousandOutputsIsAnswered() {
    int count = 100_000;
    GraphBuilder builder = Graph.builder();
    for (int i = 0; i < count; i++) {
      builder.task("output-" + i, "inc", (long) i);
    }
    Map<String, Object> values = compute(builder.build());
    assertEquals(count, values.size());
    for (int i = 0; i < count; i++) {
      assertEquals(i + 1L, values.get("output-" + i), "output-" + i);
    }
  }

  /**
   * A task that fails with a message of megabytes (a wrong-type error that prints its argument) fails its graph with
   * that error; where the error crosses to another JVM its texts are cut, and the cut says so (the broker used to hang
   * here, the failure too large for its events).
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aFailureWithAMessageOfMegabytesFailsItsGraph() {
    Graph graph = Graph.builder().task("ok", "inc", 1L).task("long", "fail-at-length", 1_500_000L)
        .task("after", "add", ref("ok"), ref("long")).build();
    TaskFailedException failure = assertThrows(TaskFailedException.class, () -> compute(graph));
    assertEquals("long", failure.key());
    assertTrue(failure.getCause().getMessage().contains("a long failure: xxxx"), "the error's start is kept");
    if (failure.getCause() instanceof dev.weft.scheduler.RemoteTaskException) {
      dev.weft.scheduler.RemoteTaskException remote = (dev.weft.scheduler.RemoteTaskException) failure.getCause();
      assertEquals(IllegalStateException.class.getName(), remote.remoteType());
      assertTrue(remote.getMessage().length() < 2 * dev.weft.scheduler.ErrorText.MAX_MESSAGE_CHARS,
          "message of " + remote.getMessage().length() + " characters");
      assertTrue(remote.getMessage().endsWith("[... cut: 1500016 characters in all]"),
          remote.getMessage().substring(remote.getMessage().length() - 60));
      assertTrue(remote.remoteStackTrace().length() <= dev.weft.scheduler.ErrorText.MAX_STACK_TRACE_CHARS);
    } else {
      assertEquals("a long failure: " + "x".repeat(1_500_000), failure.getCause().getMessage());
    }
    assertEquals(Map.of("ok", 2L), compute(Graph.builder().task("ok", "inc", 1L).build()));
  }

  /** Division by zero fails, as Python's and Dask's; infinite and NaN values made otherwise stay legal values. */
  @Test
  void divisionByZeroFailsAndNonFiniteValuesStayLegal() {
    for (Object[] call : List.of(new Object[] {"div", 1L}, new Object[] {"div", 1.5d}, new Object[] {"floordiv", 1L})) {
      Object zero = call[1] instanceof Long ? (Object) 0L : (Object) 0.0d;
      Graph graph = Graph.builder().task("q", (String) call[0], call[1], zero).build();
      TaskFailedException failure = assertThrows(TaskFailedException.class, () -> compute(graph),
          call[0] + "(" + call[1] + ", 0)");
      assertTrue(failure.getCause().getMessage().contains(call[0] + ": division by zero"),
          failure.getCause().getMessage());
      assertTrue(failure.getCause() instanceof ArithmeticException
          || ArithmeticException.class.getName().equals(
              ((dev.weft.scheduler.RemoteTaskException) failure.getCause()).remoteType()), failure.toString());
    }
    Graph nonFinite = Graph.builder()
        .task("inf", "mul", 1e308, 10.0)
        .task("nan", "sub", ref("inf"), ref("inf"))
        .task("tiny", "div", 1.0, ref("inf"))
        .build();
    Map<String, Object> values = compute(nonFinite, "inf", "nan", "tiny");
    assertEquals(Double.POSITIVE_INFINITY, values.get("inf"));
    assertTrue(Double.isNaN((Double) values.get("nan")));
    assertEquals(0.0, values.get("tiny"));
  }

  /**
   * A value of 60 MiB, under the broker's default limit of 64 MiB, goes to the task that reads it and back to the
   * caller (the broker used to hang here).
   */
  @Test
  @org.junit.jupiter.api.Timeout(300)
  void aValueOfSixtyMebibytesReachesItsReaderAndTheCaller() {
    long size = 60L << 20;
    Graph graph = Graph.builder().task("big", "bytes", size).task("size", "length", ref("big")).build();
    Map<String, Object> values = compute(graph, "big", "size");
    assertEquals(size, values.get("size"));
    assertEquals(size, ((ByteBuffer) values.get("big")).remaining());
  }

  @Test
  void resultsAreValuesOrRefused() {
    Graph graph = Graph.builder().task("a", "inc", 41L).build();
    Object value = compute(graph).get("a");
    assertInstanceOf(Long.class, value);
    assertEquals(42L, value);
    assertNull(compute(Graph.builder().task("n", "identity", (Object) null).build()).get("n"));
  }
}
