package dev.weft.local;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.function.builtin.BuiltinFunctions;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.scheduler.Weft;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadsSchedulerTest {
  private final FunctionRegistry registry = new FunctionRegistry().install(new BuiltinFunctions());

  @Test
  void tasksRunOnPoolThreadsInParallel() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch bothRunning = new CountDownLatch(2);
    // Each task waits until the other runs too: this completes only if two tasks run at once.
    registry.register("meet", args -> {
      threads.add(Thread.currentThread().getName());
      bothRunning.countDown();
      if (!bothRunning.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other task never ran alongside");
      }
      return 1L;
    });
    Graph graph = Graph.builder().task("a", "meet").task("b", "meet").build();
    assertEquals(Map.of("a", 1L, "b", 1L), Weft.compute(graph, Schedulers.threads(2).registry(registry)));
    assertEquals(2, threads.size());
    assertTrue(threads.stream().allMatch(name -> name.startsWith("weft-threads-2-")), threads.toString());
  }

  @Test
  void aCallerSuppliedExecutorIsUsedAndNotShutDown() {
    ExecutorService mine = Executors.newFixedThreadPool(2, r -> new Thread(r, "caller-pool"));
    try {
      registry.register("thread-name", args -> Thread.currentThread().getName());
      Graph graph = Graph.builder().task("n", "thread-name").build();
      assertEquals(Map.of("n", "caller-pool"), Weft.compute(graph, Schedulers.threads(mine).registry(registry)));
      assertFalse(mine.isShutdown());
    } finally {
      mine.shutdownNow();
    }
  }

  @Test
  void aFailureInterruptsTheTasksStillRunning() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    registry.register("wait-forever", args -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return null;
    });
    registry.register("fail-after-start", args -> {
      started.await();
      throw new IllegalStateException("fails while another task runs");
    });
    Graph graph = Graph.builder().task("waits", "wait-forever").task("fails", "fail-after-start").build();
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> Weft.compute(graph, Schedulers.threads(2).registry(registry)));
    assertEquals("fails", failure.key());
    assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the running task was interrupted");
  }

  @Test
  void intermediatesAreReleasedOnceTheirLastReaderRan() {
    // A chain of 50 tasks, each making a new object: once a task ran, its input is garbage.
    List<WeakReference<Object>> made = new ArrayList<>();
    registry.register("make", args -> {
      Object fresh = new long[1 << 16];
      synchronized (made) {
        made.add(new WeakReference<>(fresh));
      }
      return fresh;
    });
    List<Integer> alive = new ArrayList<>();
    Callback census = new Callback() {
      @Override
      public void posttask(GraphRun run, TaskEvent event) {
        if (event.key().equals("m40")) {
          System.gc();
          synchronized (made) {
            alive.add((int) made.stream().filter(ref -> ref.get() != null).count());
          }
        }
      }
    };
    GraphBuilder chain = Graph.builder().task("m0", "make");
    for (int i = 1; i < 50; i++) {
      chain.task("m" + i, "make", ref("m" + (i - 1)));
    }
    Weft.compute(chain.build(), Schedulers.threads(2).registry(registry).callbacks(census), "m49");
    // At m40 only its own result (and the one it read, until released) can be alive, not forty.
    assertTrue(alive.get(0) <= 2, "alive at m40: " + alive.get(0));
  }

  @Test
  void boundedInFlightLimitsTasksHandedOut() {
    int[] maxSeen = new int[1];
    int[] running = new int[1];
    Callback counter = new Callback() {
      @Override
      public void pretask(GraphRun run, String key) {
        maxSeen[0] = Math.max(maxSeen[0], ++running[0]);
      }

      @Override
      public void posttask(GraphRun run, TaskEvent event) {
        running[0]--;
      }
    };
    GraphBuilder wide = Graph.builder();
    List<Arg> refs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      wide.task("t" + i, "inc", (long) i);
      refs.add(ref("t" + i));
    }
    wide.task("sum", "sum", refs);
    Weft.compute(wide.build(), Schedulers.threads(2).maxInFlight(3).registry(registry).callbacks(counter));
    assertEquals(3, maxSeen[0]);
  }

  @Test
  void interruptingTheCallerCancelsTheCompute() throws Exception {
    registry.register("block", args -> {
      new CountDownLatch(1).await();
      return null;
    });
    Thread.currentThread().interrupt();
    assertThrows(java.util.concurrent.CancellationException.class, () -> Weft.compute(
        Graph.builder().task("b", "block").build(), Schedulers.threads(1).registry(registry)));
    assertTrue(Thread.interrupted(), "the interrupt status is kept");
  }

  @Test
  void optionsSelectTheSchedulerByName() {
    assertEquals(Map.of("a", 2L), Weft.compute(Graph.builder().task("a", "inc", 1L).build(),
        ComputeOptions.scheduler("threads")));
  }
}
