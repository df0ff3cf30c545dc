package dev.weft.local.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Which worker gets which task. Tasks leave in the order they were submitted; the next one waits, and everything
 * behind it, until some worker can take it without a write to that worker waiting.
 *
 * <p>A worker runs one task at a time, so a task sent to a busy worker waits there. That is worth it for tiny tasks,
 * whose round trip would otherwise cost more than running them: a busy worker is sent more while its queue holds about
 * a millisecond of work (judged from the tasks' measured durations) and its frames fit the socket's send buffer. A
 * large argument therefore goes only to an idle worker, which is reading, so no write ever waits on a busy one.
 *
 * <p>The pending queue and the measured duration are guarded by the pool's lock, as are the workers' outstanding
 * tasks; frames are written after it is released.
 */
final class Dispatcher {
  static final int MAX_DEPTH = 16;
  /** Bytes queued to a busy worker: under its socket's send buffer (see {@link WorkerHandshake}). */
  static final long PIPELINE_BYTES = 64 * 1024;
  static final double TARGET_QUEUED_NANOS = 1_000_000;

  private final Object lock;
  private final WorkerProcess[] slots;
  private final ArrayDeque<Assignment> pending = new ArrayDeque<>();
  private double meanTaskNanos = TARGET_QUEUED_NANOS / 2;

  Dispatcher(Object lock, WorkerProcess[] slots) {
    this.lock = lock;
    this.slots = slots;
  }

  /** How many tasks a worker may hold (running one, the rest queued) when tasks take {@code meanTaskNanos}. */
  static int depth(double meanTaskNanos) {
    return (int) Math.max(1, Math.min(MAX_DEPTH, TARGET_QUEUED_NANOS / Math.max(1.0, meanTaskNanos)));
  }

  /** Whether a worker holding {@code held} tasks of {@code heldBytes} can be sent a frame of {@code frameBytes}. */
  static boolean canTake(int held, long heldBytes, long frameBytes, int depth) {
    return held == 0 || (held < depth && heldBytes + frameBytes <= PIPELINE_BYTES);
  }

  /** Queues an encoded task behind those waiting; the caller holds the pool's lock. */
  void enqueue(Assignment assignment) {
    pending.add(assignment);
  }

  /** Puts tasks that never started back at the front, in their order, ahead of later ones; caller holds the lock. */
  void requeueFirst(List<Assignment> neverStarted) {
    for (int i = neverStarted.size() - 1; i >= 0; i--) {
      pending.addFirst(neverStarted.get(i));
    }
  }

  /** Empties the queue and returns what it held, in order; the caller holds the pool's lock. */
  List<Assignment> removeAll() {
    List<Assignment> all = new ArrayList<>(pending);
    pending.clear();
    return all;
  }

  /** Learns from a task's duration on its worker; the caller holds the pool's lock. */
  void measured(long taskNanos) {
    meanTaskNanos = 0.9 * meanTaskNanos + 0.1 * Math.max(0, taskNanos);
  }

  /** Hands pending tasks to workers that can take them now, in order, then writes them outside the lock. */
  void dispatch() {
    List<WorkerProcess> toFlush = new ArrayList<>(2);
    synchronized (lock) {
      int depth = depth(meanTaskNanos);
      while (!pending.isEmpty()) {
        Assignment next = pending.peek();
        if (next.run.isCancelled()) {
          pending.poll();
          continue;
        }
        WorkerProcess worker = workerFor(next.frameBytes(), depth);
        if (worker == null) {
          break;
        }
        pending.poll();
        worker.assign(next);
        if (!toFlush.contains(worker)) {
          toFlush.add(worker);
        }
      }
    }
    for (WorkerProcess worker : toFlush) {
      worker.flush();
    }
  }

  /** The least busy worker that can take the frame; the caller holds the pool's lock. */
  private WorkerProcess workerFor(long frameBytes, int depth) {
    WorkerProcess best = null;
    for (WorkerProcess worker : slots) {
      if (worker == null || !worker.isReady()) {
        continue;
      }
      int held = worker.outstandingCount();
      if (canTake(held, worker.outstandingBytes(), frameBytes, depth)
          && (best == null || held < best.outstandingCount())) {
        best = worker;
      }
    }
    return best;
  }
}
