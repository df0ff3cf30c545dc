package dev.weft.local.process;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.Spin;
import dev.weft.local.internal.TaskRun;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Completions of one compute on a process pool. A compute that waits for its tasks does not park until a reader thread
 * hands it a result: it reads the workers' replies itself ({@link ProcessPool#readReplies}), first spinning, then
 * blocking in the pool's selector, so that a chain of small tasks crosses no thread boundary on the caller's side.
 */
final class PoolCompletionQueue implements CompletionQueue {

  private final ProcessPool pool;
  private final ConcurrentLinkedQueue<TaskRun> finished = new ConcurrentLinkedQueue<>();
  private volatile Thread waiter;

  PoolCompletionQueue(ProcessPool pool) {
    this.pool = pool;
  }

  @Override
  public void put(TaskRun run) {
    finished.offer(run);
    Thread thread = waiter;
    if (thread != null) {
      LockSupport.unpark(thread);
      pool.wakeIfReading(thread);
    }
  }

  @Override
  public TaskRun poll() {
    return finished.poll();
  }

  boolean isEmpty() {
    return finished.isEmpty();
  }

  @Override
  public TaskRun take() throws InterruptedException {
    TaskRun run = finished.poll();
    if (run != null) {
      return run;
    }
    waiter = Thread.currentThread();
    try {
      long deadline = System.nanoTime() + Spin.NANOS;
      while ((run = finished.poll()) == null) {
        pool.readReplies(this, System.nanoTime() > deadline);
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for tasks to finish");
        }
      }
      return run;
    } finally {
      waiter = null;
    }
  }
}
