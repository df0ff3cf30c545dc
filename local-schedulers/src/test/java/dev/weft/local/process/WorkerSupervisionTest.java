package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pool whose worker processes are {@link FakeProcess}es and whose workers are played by the test over the pool's
 * real socket: how the pool notices deaths, says why, and replaces the dead, without a JVM to start or kill.
 */
class WorkerSupervisionTest {
  /** A started worker process, with the command it was started with. */
  private record Started(FakeProcess process, List<String> command) {
    Path socket() {
      return Path.of(command.get(command.indexOf(WorkerMain.class.getName()) + 1));
    }

    int workerId() {
      return Integer.parseInt(command.get(command.indexOf(WorkerMain.class.getName()) + 2));
    }
  }

  private final BlockingQueue<Started> started = new LinkedBlockingQueue<>();
  private String output = "";
  private ProcessPool pool;

  private ProcessPool pool(int workers) {
    pool = new ProcessPool(new ProcessPool.Config(workers, List.of(), null, 1 << 20), command -> {
      FakeProcess process = new FakeProcess(700_000 + started.size(), output);
      started.add(new Started(process, command));
      return process;
    });
    return pool;
  }

  private Started nextStarted() throws InterruptedException {
    Started next = started.poll(30, TimeUnit.SECONDS);
    assertNotNull(next, "the pool started no worker");
    return next;
  }

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
  }

  /** The diagnosis waits for the process and its output: not on the thread that ends processes (here, the test's). */
  private static void assertDiagnosedOffTheExitThread(FakeProcess process) {
    assertTrue(!process.waiters.isEmpty(), "nobody asked how it ended");
    for (Thread waiter : process.waiters) {
      assertTrue(waiter != Thread.currentThread() && waiter.getName().equals("weft-pool-exits"),
          "diagnosed on " + waiter.getName());
    }
  }

  @Test
  void workersThatKeepDyingBeforeTheirHelloMakeThePoolGiveUp() throws Exception {
    output = "Unrecognized VM option 'Nope'\n";
    pool(1);
    List<FakeProcess> ended = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      Started worker = nextStarted(); // after the first, the replacement: the previous end was handled
      assertEquals(attempt, worker.workerId());
      worker.process().exit(1);
      ended.add(worker.process());
    }
    IllegalStateException failure = assertThrows(IllegalStateException.class, pool::functions);
    assertEquals("the process pool cannot start its workers: worker JVM 2 ended before it said hello: exit code 1; "
        + "its last output: Unrecognized VM option 'Nope'", failure.getMessage());
    ended.forEach(WorkerSupervisionTest::assertDiagnosedOffTheExitThread);
    assertTrue(started.isEmpty(), "no fourth worker");

    CollectingQueue completions = new CollectingQueue();
    pool.submit(run("refused"), completions);
    assertEquals(failure.getMessage(), completions.take().error().getMessage());
  }

  @Test
  void aDeadWorkersRunningTaskFailsAndTheTasksQueuedBehindItRunOnItsReplacement() throws Exception {
    pool(1);
    Started first = nextStarted();
    try (FakeWorker worker = new FakeWorker(first.socket())) {
      worker.sayHello(first.workerId(), first.process().pid(), List.of("f"));
      assertTrue(pool.functions().contains("f"));
      PoolCompletionQueue completions = new PoolCompletionQueue(pool);
      TaskRun running = run("running");
      TaskRun queued = run("queued");
      TaskRun waiting = run("waiting");
      pool.submit(running, completions);
      pool.submit(queued, completions);
      pool.submit(waiting, completions); // before any task was measured, a worker holds two
      long runningId = worker.nextTask().id();
      long queuedId = worker.nextTask().id();

      first.process().exit(7);
      TaskRun failed = completions.take();
      assertEquals("running", failed.key);
      WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, failed.error());
      assertEquals(7, died.exitCode());
      assertEquals("worker-0 (pid " + first.process().pid() + ") died while running it: exit code 7",
          died.getMessage());
      assertDiagnosedOffTheExitThread(first.process());
      assertTrue(worker.closedByPool());

      Started second = nextStarted();
      try (FakeWorker replacement = new FakeWorker(second.socket())) {
        replacement.sayHello(second.workerId(), second.process().pid(), List.of("f"));
        WorkerProtocol.RunTask again = replacement.nextTask();
        WorkerProtocol.RunTask next = replacement.nextTask();
        assertEquals(List.of("queued", "waiting"), List.of(again.key(), next.key()), "the one that never started first");
        assertTrue(again.id() == queuedId && again.id() != runningId);
        replacement.answer(again.id(), 1L);
        replacement.answer(next.id(), 2L);
        assertEquals(1L, completions.take().result());
        assertEquals(2L, completions.take().result());
        second.process().exit(0); // as a worker does when the pool closes its connection
      }
    }
  }

  private static TaskRun run(String key) {
    return new TaskRun(0, key, "f", null, new Object[] {key}, 1, false, null);
  }

  /** Completions collected in order, for a test that only submits. */
  private static final class CollectingQueue implements CompletionQueue {
    private final BlockingQueue<TaskRun> runs = new LinkedBlockingQueue<>();

    @Override
    public void put(TaskRun run) {
      runs.add(run);
    }

    @Override
    public TaskRun poll() {
      return runs.poll();
    }

    @Override
    public TaskRun take() throws InterruptedException {
      return runs.take();
    }
  }
}
