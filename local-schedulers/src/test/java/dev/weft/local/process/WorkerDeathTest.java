package dev.weft.local.process;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.RemoteTaskException;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import dev.weft.testkit.TestFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers die three ways mid-graph; each time the task fails clearly, the worker is replaced, and work goes on. */
class WorkerDeathTest {
  private final ProcessesScheduler scheduler = new ProcessesScheduler();

  @TempDir
  Path temp;

  @AfterEach
  void stop() {
    scheduler.close();
  }

  private ComputeOptions pool(int workers, String... jvmOptions) {
    return ComputeOptions.scheduler(scheduler).numWorkers(workers)
        .with(ProcessPoolOptions.JVM_OPTIONS, List.of(jvmOptions));
  }

  private void assertPoolStillWorks(ComputeOptions options) {
    assertEquals(Map.of("sum", Shapes.wideResult(200)), Weft.compute(Shapes.wide(200), options));
  }

  private static Graph withSiblings(Task killer) {

    return Graph.builder().task("a", "inc", 1L).task(killer).task("b", "add", ref("a"), ref(killer.key()))
        .task("other", "mul", 6L, 7L).build();
  }

  @Test
  void systemExitInATask() {
    ComputeOptions options = pool(2);
    assertPoolStillWorks(options);
    List<Long> before = scheduler.workerPids();
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> Weft.compute(withSiblings(Task.of("killer", "exit", 7L)), options, "b", "other"));
    assertEquals("killer", failure.key());
    assertEquals("exit", failure.function());
    assertInstanceOf(WorkerDiedException.class, failure.getCause());
    assertEquals(7, ((WorkerDiedException) failure.getCause()).exitCode());
    assertTrue(failure.getMessage().matches("task 'killer' \\(function exit\\) failed: worker-\\d+ \\(pid \\d+\\) "
        + "died while running it: exit code 7"), failure.getMessage());
    assertPoolStillWorks(options);
    List<Long> after = scheduler.workerPids();
    assertEquals(2, after.size());
    assertNotEquals(before, after, "one worker was replaced");
  }

  @Test
  void outOfMemoryInATask() {
    ComputeOptions options = pool(1, "-Xmx48m");
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> Weft.compute(Graph.builder().task("hog", "oom").build(), options));
    assertEquals("hog", failure.key());
    assertTrue(failure.getMessage().contains("died while running it: exit code 3, out of memory"),
        failure.getMessage());
    assertTrue(failure.getMessage().contains("OutOfMemoryError"), failure.getMessage());
    assertPoolStillWorks(options);
  }

  @Test
  void killedFromOutside() throws Exception {
    ComputeOptions options = pool(2);
    assertPoolStillWorks(options);
    Path announced = temp.resolve("pid");
    Graph graph = withSiblings(Task.of("victim", "announce-and-sleep", announced.toString(), 600_000L));
    CompletableFuture<Map<String, Object>> compute = CompletableFuture.supplyAsync(
        () -> Weft.compute(graph, options, "b", "other"));
    long pid = Long.parseLong(awaitFile(announced, Duration.ofSeconds(60)));
    assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly());
    ExecutionException wrapped = assertThrows(ExecutionException.class, () -> compute.get(60, TimeUnit.SECONDS));
    TaskFailedException failure = assertInstanceOf(TaskFailedException.class, wrapped.getCause());
    assertEquals("victim", failure.key());
    assertTrue(failure.getMessage().contains("(pid " + pid + ") died while running it: killed by signal 9 (SIGKILL)"),
        failure.getMessage());
    assertPoolStillWorks(options);
    assertTrue(!scheduler.workerPids().contains(pid));
  }

  /**
   * An interrupted compute stops what it had running in worker JVMs: once its tasks ran on, and the next compute waited
   * behind them.
   */
  @Test
  void anInterruptedComputeStopsItsTasksInTheWorkers() throws Exception {
    ComputeOptions options = pool(2);
    assertPoolStillWorks(options);
    Path first = temp.resolve("first");
    Path second = temp.resolve("second");
    Graph graph = Graph.builder().task("a", "announce-and-sleep", first.toString(), 600_000L)
        .task("b", "announce-and-sleep", second.toString(), 600_000L).build();
    java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        Weft.compute(graph, options);
      } catch (Throwable t) {
        outcome.set(t);
      }
    });
    caller.start();
    // Both may run at once, or one may wait behind the other on the same worker (tiny tasks before taught the pool
    // to queue): either way the one running announces itself.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(first) && !Files.exists(second)) {
      assertTrue(System.nanoTime() < deadline, "no task started");
      Thread.sleep(5);
    }
    Thread.sleep(200); // the other one too, if it runs in a worker of its own
    List<Long> pids = new java.util.ArrayList<>();
    for (Path announced : List.of(first, second)) {
      if (Files.exists(announced)) {
        pids.add(Long.parseLong(awaitFile(announced, Duration.ofSeconds(5))));
      }
    }
    caller.interrupt();
    caller.join(TimeUnit.SECONDS.toMillis(30));
    assertInstanceOf(java.util.concurrent.CancellationException.class, outcome.get());
    for (long pid : pids) {
      // The tasks sleep ten minutes: only a stop ends their JVMs within a minute.
      ProcessHandle worker = ProcessHandle.of(pid).orElse(null);
      if (worker != null) {
        worker.onExit().get(60, TimeUnit.SECONDS);
      }
    }
    assertPoolStillWorks(options);
  }

  @Test
  void aTaskThatKillsItsWorkerOnceCompletesOnRetry() throws Exception {
    ComputeOptions options = pool(2);
    Path counter = temp.resolve("exit-once");
    Graph graph = withSiblings(Task.of("killer", "exit-once", counter.toString(), 9L, 100L).withRetries(1));
    assertEquals(Map.of("b", 102L, "other", 42L), Weft.compute(graph, options, "b", "other"));
    assertEquals(2, TestFunctions.calls(counter));
  }

  @Test
  void tasksQueuedBehindADyingOneRunElsewhere() throws Exception {
    // One worker; many tiny tasks are pipelined to it behind the one that kills it. They never started, so they run
    // on the replacement, and the graph completes once the killer is retried.
    ComputeOptions options = pool(1);
    Path counter = temp.resolve("exit-once-queue");

    var builder = Graph.builder().task(Task.of("killer", "exit-once", counter.toString(), 3L, 0L).withRetries(1));
    List<dev.weft.graph.Arg> all = new java.util.ArrayList<>(List.of(ref("killer")));
    for (int i = 0; i < 50; i++) {
      builder.task("t" + i, "inc", (long) i);
      all.add(ref("t" + i));
    }
    Graph graph = builder.task("total", "sum", all).build();
    assertEquals(Map.of("total", 50L * 51 / 2), Weft.compute(graph, options, "total"));
  }

  @Test
  void printingTasksDoNotCorruptTheProtocol() {
    Graph graph = Graph.builder().task("n1", "noisy", "quiet result").task("n2", "noisy", 5L)
        .task("both", "list", ref("n1"), ref("n2")).build();
    assertEquals(Map.of("both", List.of("quiet result", 5L)), Weft.compute(graph, pool(2)));
  }

  @Test
  void aResultThatIsNotAValueFailsItsTaskClearly() {
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> Weft.compute(Graph.builder().task("odd", "not-a-value").build(), pool(1)));
    RemoteTaskException cause = assertInstanceOf(RemoteTaskException.class, failure.getCause());
    assertEquals("java.lang.IllegalArgumentException", cause.remoteType());
    assertTrue(cause.getMessage().contains("the result of task 'odd' cannot be sent: cannot encode "
        + "value[1]: a java.lang.Object is not a Weft value"), cause.getMessage());
  }

  @Test
  void remoteExceptionsCarryTheWorkersStackTrace() {
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> Weft.compute(Graph.builder().task("f", "fail", "remote trouble").build(), pool(1)));
    RemoteTaskException cause = assertInstanceOf(RemoteTaskException.class, failure.getCause());
    assertEquals("java.lang.IllegalStateException", cause.remoteType());
    assertTrue(cause.remoteStackTrace().contains("at dev.weft.testkit.TestFunctions"), cause.remoteStackTrace());
  }

  @Test
  void workersThatCannotStartFailTheComputeInsteadOfHanging() {
    IllegalStateException failure = assertThrows(IllegalStateException.class,
        () -> Weft.compute(Shapes.wide(3), pool(1, "-XX:+NoSuchWeftOption")));
    assertTrue(failure.getMessage().startsWith("the process pool cannot start its workers"), failure.getMessage());
    assertTrue(failure.getMessage().contains("NoSuchWeftOption"), failure.getMessage());
  }

  private static String awaitFile(Path file, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(file + " did not appear within " + timeout);
      }
      Thread.sleep(5);
    }
    return Files.readString(file).trim();
  }
}
