package dev.weft.local.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Completions from worker threads to the loop's thread: a lock-free queue whose single consumer spins briefly, then
 * parks until a producer unparks it.
 */
public final class HandoffCompletionQueue implements CompletionQueue {
  private final ConcurrentLinkedQueue<TaskRun> queue = new ConcurrentLinkedQueue<>();
  private volatile Thread parkedConsumer;

  @Override
  public void put(TaskRun run) {
    queue.offer(run);
    Thread consumer = parkedConsumer;
    if (consumer != null) {
      LockSupport.unpark(consumer);
    }
  }

  @Override
  public TaskRun poll() {
    return queue.poll();
  }

  @Override
  public TaskRun take() throws InterruptedException {
    TaskRun run = queue.poll();
    if (run != null) {
      return run;
    }
    long deadline = System.nanoTime() + Spin.NANOS;
    while (System.nanoTime() < deadline) {
      Thread.onSpinWait();
      run = queue.poll();
      if (run != null) {
        return run;
      }
    }
    Thread self = Thread.currentThread();
    try {
      // Publish that we park before the last look, so a producer either sees us parked or we see its run.
      parkedConsumer = self;
      while ((run = queue.poll()) == null) {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for tasks to finish");
        }
      }
      return run;
    } finally {
      parkedConsumer = null;
    }
  }
}
