package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import dev.weft.testkit.TestFunctions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several computes at once on one pool, and frames over the pool's size limit. */
class ProcessPoolSharingTest {
  private final ProcessesScheduler scheduler = new ProcessesScheduler();

  @AfterEach
  void stop() {
    scheduler.close();
  }

  @Test
  void concurrentComputesShareOnePoolAndAllFinish() throws Exception {
    ComputeOptions options = ComputeOptions.scheduler(scheduler).numWorkers(2);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Map<String, Object>>> computes = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Graph graph = i % 2 == 0 ? Shapes.chain(300) : Shapes.wide(500);
        computes.add(callers.submit(() -> Weft.compute(graph, options)));
      }
      for (int i = 0; i < computes.size(); i++) {
        Map<String, Object> expected = i % 2 == 0 ? Map.of("chain-299", 300L) : Map.of("sum", Shapes.wideResult(500));
        assertEquals(expected, computes.get(i).get(2, TimeUnit.MINUTES));
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void framesOverTheLimitFailTheirTaskClearly() {
    ComputeOptions options = ComputeOptions.scheduler(scheduler).numWorkers(1)
        .with(ProcessPoolOptions.MAX_FRAME_BYTES, 1 << 20);
    TaskFailedException argument = assertThrows(TaskFailedException.class, () -> Weft.compute(
        Graph.builder().task("big-in", "length", ByteBuffer.allocate(2 << 20)).build(), options));
    assertTrue(argument.getMessage().contains("cannot be sent to a worker: its arguments are"), argument.getMessage());

    // A built-in that knows its result's size refuses it before building it...
    TaskFailedException early = assertThrows(TaskFailedException.class, () -> Weft.compute(
        Graph.builder().task("big-out", "bytes", 2L << 20).build(), options));
    assertTrue(early.getMessage().contains("bytes(2097152) would be at least 2097152 bytes encoded, over the 1048576"
        + " that the processes scheduler carries"), early.getMessage());
    // ...any other result is refused as its encoding passes the limit: 400,000 longs take about three bytes each.
    TaskFailedException result = assertThrows(TaskFailedException.class, () -> Weft.compute(
        Graph.builder().task("big-out", "range", 400_000L).build(), options));
    assertTrue(result.getMessage().contains("the result of task 'big-out' cannot be sent: encoded, it is over 1048576 "
        + "bytes, the most a frame to the caller takes (processes.max.frame.bytes is 1048576)"), result.getMessage());

    // Neither broke the pool.
    assertEquals(Map.of("sum", Shapes.wideResult(100)), Weft.compute(Shapes.wide(100), options));
  }

  @Test
  void closingThePoolFailsTheComputesThatWaitInsteadOfHangingThem(@TempDir Path temp) throws Exception {
    ComputeOptions options = ComputeOptions.scheduler(scheduler).numWorkers(1);
    Path calls = temp.resolve("calls");
    Graph graph = Graph.builder()
        .task("long", "count-and-sleep", calls.toString(), 60_000L, "late")
        .task("queued", "count-and-sleep", calls.toString(), 60_000L, "later")
        .build();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Map<String, Object>> compute = threads.submit(() -> Weft.compute(graph, options));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (!Files.exists(calls) || TestFunctions.calls(calls) == 0) {
        assertTrue(System.nanoTime() < deadline, "the task never started");
        Thread.sleep(10);
      }
      Future<?> close = threads.submit(scheduler::close);
      close.get(30, TimeUnit.SECONDS);
      ExecutionException failed = assertThrows(ExecutionException.class, () -> compute.get(30, TimeUnit.SECONDS));
      assertTrue(failed.getCause().getMessage().contains("the process pool was closed"),
          failed.getCause().getMessage());
    } finally {
      threads.shutdownNow();
    }
  }
}
