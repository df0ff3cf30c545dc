package dev.weft.local.process;

import static dev.weft.graph.Arg.list;
import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values over {@link ProcessPoolOptions#KEEP_BYTES} stay in the worker that produced them: readers run there, the
 * value does not cross to the caller, and the worker drops it when no task needs it, however the compute ends. A value
 * lost with its worker fails the task that needed it, saying so.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a regression here would otherwise wait forever for a holder
class LocalityTest {
  private static final int BLOB = 4 << 20;
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

  /** Starts the pool and waits until all its workers said hello, so that two ready tasks go to two workers. */
  private ProcessPool started(ComputeOptions options, int workers) throws InterruptedException {
    assertEquals(Map.of("sum", Shapes.wideResult(50)), Weft.compute(Shapes.wide(50), options));
    ProcessPool pool = scheduler.pools().get(0);
    while (pool.readyWorkers() < workers) {
      Thread.sleep(10);
    }
    return pool;
  }

  /**
   * The blob's readers all run on its holder (the other worker is kept busy by a task that waits for them, so none
   * can be taken elsewhere), and far fewer bytes than one blob cross between the caller and the workers.
   */
  @Test
  void readersRunWhereTheLargeValueIsAndItNeverTravels() throws Exception {
    ComputeOptions options = pool(2);
    ProcessPool pool = started(options, 2);
    String gate = temp.resolve("gate").toString();
    Graph graph = Graph.builder()
        .task("blob", "bytes", (long) BLOB)
        .task("busy", "await-file", gate, 120_000L, 0L)
        .task("r0", "pid", ref("blob")).task("r1", "pid", ref("blob")).task("r2", "pid", ref("blob"))
        .task("r3", "pid", ref("blob")).task("n", "length", ref("blob"))
        .task("open", "count", gate, list(ref("r0"), ref("r1"), ref("r2"), ref("r3"), ref("n")))
        .task("done", "pid", ref("busy"), ref("open")) // what needs 'open', which a compute would leave out
        .build();
    long[] before = pool.traffic();
    Map<String, Object> result = Weft.compute(graph, options, "r0", "r1", "r2", "r3", "n", "done");
    long[] after = pool.traffic();
    assertEquals((long) BLOB, result.get("n"));
    Set<Object> readers = new HashSet<>(List.of(result.get("r0"), result.get("r1"), result.get("r2"),
        result.get("r3")));
    assertEquals(1, readers.size(), "every reader ran on the one worker that holds the blob: " + readers);
    long written = after[0] - before[0];
    long read = after[1] - before[1];
    assertTrue(written < 64 * 1024 && read < 64 * 1024,
        "the blob of " + BLOB + " bytes stayed in its worker; caller wrote " + written + " bytes, read " + read);
    assertEquals(0, pool.keptValues(), "dropped once its readers ran");
  }

  /** A task that reads values kept by two workers goes to the holder of the larger; only the smaller one travels. */
  @Test
  void aTaskReadingValuesOfTwoWorkersGoesWhereTheLargerIs() throws Exception {
    ComputeOptions options = pool(2);
    ProcessPool pool = started(options, 2);
    Graph graph = Graph.builder().task("small", "bytes", (long) BLOB).task("large", "bytes", 2L * BLOB)
        .task("both", "pid", ref("small"), ref("large")).task("where", "pid", ref("large"))
        .task("n", "length", ref("small")).build();
    long[] before = pool.traffic();
    Map<String, Object> result = Weft.compute(graph, options, "both", "where", "n");
    long[] after = pool.traffic();
    assertEquals((long) BLOB, result.get("n"));
    assertEquals(result.get("where"), result.get("both"), "ran on the holder of the larger value");
    long read = after[1] - before[1];
    long written = after[0] - before[0];
    assertTrue(read >= BLOB && read < 2L * BLOB && written >= BLOB && written < 2L * BLOB,
        "the smaller value crossed once each way: read " + read + ", wrote " + written);
  }

  /** A value needed by the caller itself (an output) still comes back, and the same graph answers the same. */
  @Test
  void outputsComeBackWhateverTheirSize() {
    Graph graph = Graph.builder().task("blob", "bytes", (long) BLOB).task("n", "length", ref("blob")).build();
    Map<String, Object> result = Weft.compute(graph, pool(2), "blob", "n");
    assertEquals((long) BLOB, result.get("n"));
    assertEquals(BLOB, ((java.nio.ByteBuffer) result.get("blob")).remaining());
  }

  /**
   * The holder of a value a later task needs is killed: the task fails, naming the lost value and its worker, and the
   * pool works on.
   */
  @Test
  void aValueLostWithItsHolderFailsTheTaskThatNeedsItClearly() throws Exception {
    ComputeOptions options = pool(2);
    ProcessPool pool = started(options, 2);
    Path gate = temp.resolve("gate");
    Graph graph = Graph.builder()
        .task("blob", "bytes", (long) BLOB)
        .task("busy", "await-file", gate.toString(), 120_000L, 0L)
        .task("reader", "pid", ref("blob"), ref("busy"))
        .build();
    CompletableFuture<Map<String, Object>> compute = CompletableFuture.supplyAsync(
        () -> Weft.compute(graph, options));
    List<Long> holders;
    while ((holders = pool.holderPids()).isEmpty()) {
      Thread.sleep(10);
    }
    long holder = holders.get(0);
    assertTrue(ProcessHandle.of(holder).orElseThrow().destroyForcibly());
    while (scheduler.workerPids().contains(holder)) {
      Thread.sleep(10); // until the pool has buried it: the reader must meet the loss, not the dying worker
    }
    Files.writeString(gate, "open");
    ExecutionException wrapped = assertThrows(ExecutionException.class, () -> compute.get(60, TimeUnit.SECONDS));
    TaskFailedException failure = assertInstanceOf(TaskFailedException.class, wrapped.getCause());
    assertEquals("reader", failure.key());
    assertInstanceOf(WorkerDiedException.class, failure.getCause());
    assertTrue(failure.getMessage().contains("its input, the value of task 'blob', was lost: worker-")
        && failure.getMessage().contains("(pid " + holder + "), which kept it, died"), failure.getMessage());
    assertEquals(Map.of("sum", Shapes.wideResult(200)), Weft.compute(Shapes.wide(200), options));
    assertEquals(0, pool.keptValues());
  }

  /**
   * A compute that fails leaves nothing in its workers: with a heap of 64 MB, a worker that kept each failed
   * compute's 16 MB blob would run out of memory by the fourth; none dies, and the pool keeps nothing.
   */
  @Test
  void aFailedComputeReleasesWhatItsWorkersKept() throws Exception {
    ComputeOptions options = pool(1, "-Xmx64m");
    ProcessPool pool = started(options, 1);
    List<Long> workers = scheduler.workerPids();
    Graph graph = Graph.builder().task("blob", "bytes", 16L << 20).task("bad", "fail", ref("blob"))
        .task("n", "length", ref("blob")).build();
    for (int i = 0; i < 8; i++) {
      TaskFailedException failure = assertThrows(TaskFailedException.class,
          () -> Weft.compute(graph, options, "bad", "n"));
      assertEquals("bad", failure.key(), failure.getMessage());
    }
    assertEquals(workers, scheduler.workerPids(), "no worker ran out of memory");
    assertEquals(0, pool.keptValues());
  }

  /** An interrupted compute releases what its workers kept, though the task that read it still runs. */
  @Test
  void aCancelledComputeReleasesWhatItsWorkersKept() throws Exception {
    ComputeOptions options = pool(2);
    ProcessPool pool = started(options, 2);
    Path announced = temp.resolve("pid");
    Graph graph = Graph.builder()
        .task("blob", "bytes", (long) BLOB)
        .task("slow", "announce-and-sleep", announced.toString(), 600_000L)
        .task("reader", "pid", ref("blob"), ref("slow"))
        .build();
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        Weft.compute(graph, options);
      } catch (Throwable t) {
        outcome.set(t);
      }
    });
    caller.start();
    while (!Files.exists(announced) || pool.keptValues() == 0) {
      Thread.sleep(10);
    }
    caller.interrupt();
    caller.join(60_000);
    assertInstanceOf(java.util.concurrent.CancellationException.class, outcome.get());
    assertEquals(0, pool.keptValues(), "released when the compute ended");
  }

  /**
   * The holder is busy with a long task that reads the blob while the other worker idles: the readers, ready meanwhile
   * (after a shorter task on the other worker), are taken by the idle worker, with the value the caller fetched once,
   * and the answer is the same.
   */
  @Test
  void readersWaitingForABusyHolderAreTakenByAnIdleWorker() throws Exception {
    ComputeOptions options = pool(2);
    ProcessPool pool = started(options, 2);
    var graph = Graph.builder().task("blob", "bytes", (long) BLOB)
        .task("tick", "count-and-sleep", temp.resolve("tick").toString(), 500L, 0L)
        .task("slow", "count-and-sleep", temp.resolve("slow").toString(), 2_000L, ref("blob"));
    for (int i = 0; i < 6; i++) {
      graph.task("r" + i, "pid", ref("blob"), ref("tick"));
    }
    graph.task("n", "length", ref("slow"));
    Map<String, Object> result = Weft.compute(graph.build(), options, "r0", "r1", "r2", "r3", "r4", "r5", "n");
    assertEquals((long) BLOB, result.get("n"));
    Set<Object> readers = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      readers.add(result.get("r" + i));
    }
    assertEquals(2, readers.size(), "the idle worker took readers: " + readers);
    assertEquals(0, pool.keptValues());
  }

  /**
   * A task that reads two kept values inside a list (always sent as copies) waits for both fetches and runs once: a
   * duplicate would be on its way to the pool's only worker before the compute ends, so it would have run by the end of
   * the next compute, which that worker takes after it.
   */
  @Test
  void aTaskReadingAListOfKeptValuesRunsOnceAfterBothAreFetched() throws Exception {
    ComputeOptions options = pool(1);
    started(options, 1);
    Path calls = temp.resolve("calls");
    Graph graph = Graph.builder().task("b1", "bytes", (long) BLOB).task("b2", "bytes", (long) BLOB)
        .task("c", "count-and-sleep", calls.toString(), 0L, list(ref("b1"), ref("b2"))).build();
    Weft.compute(graph, options, "c");
    assertEquals(Map.of("sum", Shapes.wideResult(5)), Weft.compute(Shapes.wide(5), options));
    assertEquals(1, Files.readAllLines(calls).size(), "calls: " + Files.readAllLines(calls));
  }

  /** A kept value read twice by one task is fetched for it once, and the task runs once (see the test above). */
  @Test
  void aTaskReadingOneKeptValueTwiceRunsOnce() throws Exception {
    ComputeOptions options = pool(1);
    started(options, 1);
    Path calls = temp.resolve("calls");
    Graph graph = Graph.builder().task("b1", "bytes", (long) BLOB)
        .task("c", "count-and-sleep", calls.toString(), 0L, list(ref("b1"), ref("b1"))).build();
    Weft.compute(graph, options, "c");
    assertEquals(Map.of("sum", Shapes.wideResult(5)), Weft.compute(Shapes.wide(5), options));
    assertEquals(1, Files.readAllLines(calls).size(), "calls: " + Files.readAllLines(calls));
  }

  /**
   * A task still running when its compute fails keeps its result when it ends: another compute on the pool reads that
   * reply after the failed one released what it had, and the value is dropped all the same.
   */
  @Test
  void aValueKeptByATaskThatEndsAfterItsComputeFailedIsDropped() throws Exception {
    ComputeOptions options = pool(3);
    ProcessPool pool = started(options, 3);
    Path otherStarted = temp.resolve("other");
    CompletableFuture<Map<String, Object>> other = CompletableFuture.supplyAsync(() -> Weft.compute(Graph.builder()
        .task("s", "announce-and-sleep", otherStarted.toString(), 4_000L).build(), options));
    while (!Files.exists(otherStarted)) {
      Thread.sleep(10);
    }
    Graph graph = Graph.builder().task("blob", "bytes", (long) BLOB)
        .task("big", "count-and-sleep", temp.resolve("a").toString(), 800L, ref("blob"))
        .task("tick", "count-and-sleep", temp.resolve("b").toString(), 200L, 1L)
        .task("bad", "fail", ref("tick"))
        .task("n", "length", ref("big")).build();
    assertThrows(TaskFailedException.class, () -> Weft.compute(graph, options, "bad", "n"));
    other.get();
    assertEquals(0, pool.keptValues(), "kept after the compute failed");
  }
}
