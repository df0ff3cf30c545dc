package dev.weft.local.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of daemon worker threads for the threads scheduler, built for tasks of a microsecond.
 *
 * <p>A worker that runs out of work spins for {@link Spin#NANOS} before it parks. A submitter wakes a parked worker
 * only when no worker is spinning, since a spinning one will take the task within nanoseconds: a chain of small
 * tasks keeps one worker hot and the others asleep. A worker that takes a task while more are queued and nobody
 * spins wakes the next one, so a burst spreads over the pool without the submitter paying for every wake-up.
 */
public final class SpinningWorkerPool implements AutoCloseable {
  private static final int RUNNING = 0;
  private static final int PARKED = 1;

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger spinning = new AtomicInteger();
  private final Worker[] workers;
  private volatile boolean closed;

  public SpinningWorkerPool(int size, String namePrefix) {
    if (size < 1) {
      throw new IllegalArgumentException("a pool needs at least one worker, got " + size);
    }
    workers = new Worker[size];
    for (int i = 0; i < size; i++) {
      workers[i] = new Worker(namePrefix + "-" + i);
    }
    for (Worker worker : workers) {
      worker.thread.start();
    }
  }

  public int size() {
    return workers.length;
  }

  public void submit(Runnable task) {
    if (closed) {
      throw new IllegalStateException("the worker pool is closed");
    }
    queue.offer(task);
    if (spinning.get() == 0) {
      wakeOne();
    }
  }

  private void wakeOne() {
    for (Worker worker : workers) {
      if (worker.state.get() == PARKED && worker.state.compareAndSet(PARKED, RUNNING)) {
        LockSupport.unpark(worker.thread);
        return;
      }
    }
  }

  /** Stops the workers once the queue is empty; tasks already queued still run. */
  @Override
  public void close() {
    closed = true;
    for (Worker worker : workers) {
      worker.state.set(RUNNING);
      LockSupport.unpark(worker.thread);
    }
  }

  private final class Worker implements Runnable {
    final Thread thread;
    final AtomicInteger state = new AtomicInteger(RUNNING);

    Worker(String name) {
      thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      while (true) {
        Runnable task = queue.poll();
        if (task == null) {
          task = spinForTask();
        }
        if (task == null) {
          task = parkForTask();
        }
        if (task == null) {
          return; // closed and drained
        }
        if (spinning.get() == 0 && !queue.isEmpty()) {
          wakeOne();
        }
        // Runnables of the pool record their own failures; a stray one must not kill the worker.
        try {
          task.run();
        } catch (Throwable t) {
          Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
          handler.uncaughtException(thread, t);
        }
      }
    }

    private Runnable spinForTask() {
      spinning.incrementAndGet();
      try {
        long deadline = System.nanoTime() + Spin.NANOS;
        Runnable task = null;
        while (task == null && System.nanoTime() < deadline) {
          Thread.onSpinWait();
          task = queue.poll();
        }
        return task;
      } finally {
        spinning.decrementAndGet();
      }
    }

    private Runnable parkForTask() {
      while (true) {
        state.set(PARKED);
        // Look once more after publishing PARKED: a submitter either sees us parked or we see its task.
        Runnable task = queue.poll();
        if (task != null) {
          state.set(RUNNING);
          return task;
        }
        if (closed) {
          return null;
        }
        while (state.get() == PARKED && !closed) {
          LockSupport.park(this);
        }
        task = queue.poll();
        if (task != null) {
          state.set(RUNNING);
          return task;
        }
        if (closed) {
          return null;
        }
      }
    }
  }
}
