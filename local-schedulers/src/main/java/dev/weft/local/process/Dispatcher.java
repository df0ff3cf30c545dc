package dev.weft.local.process;

import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which worker gets which task. Tasks leave in the order they were submitted; the next one waits, and everything
 * behind it, until some worker can take it without a write to that worker waiting.
 *
 * <p>A worker runs one task at a time, so a task sent to a busy worker waits there. That is worth it for tiny tasks,
 * whose round trip would otherwise cost more than running them: a busy worker is sent more while its queue holds about
 * a millisecond of work (judged from the tasks' measured durations) and its frames fit the socket's send buffer. A
 * large argument therefore goes only to an idle worker, which is reading, so no write ever waits on a busy one.
 *
 * <p>Locality, as Dask's distributed scheduler: a task that reads values kept in workers ({@link HeldValue}) goes to
 * the holder of the largest, which is sent only the value's handle, as soon as that worker can take it by the rule
 * above; it does not hold up the tasks behind it meanwhile. Its inputs kept in other workers are fetched first. If
 * the holder stays busy while another worker idles for longer than moving the value would take (a millisecond, plus
 * 2 ns a byte: out of the holder and into the thief), or at once if the holder died after the caller fetched the
 * value, the idle worker steals the task: the caller fetches the values it lacks from their holders, once (later
 * readers get the caller's copy), and then sends it. A task whose
 * value was lost with its holder, before anyone fetched it, fails with a {@link WorkerDiedException}.
 *
 * <p>The pending queue and the measured duration are guarded by the pool's lock, as are the workers' outstanding
 * tasks; frames are written after it is released.
 */
final class Dispatcher {
  static final int MAX_DEPTH = 16;
  /** Bytes queued to a busy worker: under its socket's send buffer (see {@link WorkerHandshake}). */
  static final long PIPELINE_BYTES = 64 * 1024;
  static final double TARGET_QUEUED_NANOS = 1_000_000;
  /** Nanoseconds a byte of a kept value costs to move from its holder, through the caller, to another worker. */
  static final long STEAL_NANOS_PER_BYTE = 2;

  private final Object lock;
  private final WorkerProcess[] slots;
  private final ValueCodec values;
  private final long maxFrameBytes;
  private final LongAdder bytesWritten;
  private final ArrayDeque<Assignment> pending = new ArrayDeque<>();
  /** How many of {@link #pending} read values kept in workers: while none does, the queue leaves strictly in order. */
  private int located;
  private double meanTaskNanos = TARGET_QUEUED_NANOS / 2;

  Dispatcher(Object lock, WorkerProcess[] slots) {
    this(lock, slots, new ValueCodec(), Integer.MAX_VALUE, new LongAdder());
  }

  /** @param bytesWritten counts the bytes of every frame written to a worker */
  Dispatcher(Object lock, WorkerProcess[] slots, ValueCodec values, long maxFrameBytes, LongAdder bytesWritten) {
    this.lock = lock;
    this.slots = slots;
    this.values = values;
    this.maxFrameBytes = maxFrameBytes;
    this.bytesWritten = bytesWritten;
  }

  /** How long a task waits for the busy holder of values it reads before an idle worker may take it. */
  static long stealAfterNanos(long copyBytes) {
    return (long) TARGET_QUEUED_NANOS + STEAL_NANOS_PER_BYTE * copyBytes;
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
    if (assignment.hasInputs()) {
      located++;
    }
  }

  /** Puts tasks that never started back at the front, in their order, ahead of later ones; caller holds the lock. */
  void requeueFirst(List<Assignment> neverStarted) {
    for (int i = neverStarted.size() - 1; i >= 0; i--) {
      Assignment assignment = neverStarted.get(i);
      assignment.parked = false;
      pending.addFirst(assignment);
      if (assignment.hasInputs()) {
        located++;
      }
    }
  }

  /** Empties the queue and returns what it held, in order; the caller holds the pool's lock. */
  List<Assignment> removeAll() {
    List<Assignment> all = new ArrayList<>(pending);
    pending.clear();
    located = 0;
    return all;
  }

  /** Learns from a task's duration on its worker; the caller holds the pool's lock. */
  void measured(long taskNanos) {
    meanTaskNanos = 0.9 * meanTaskNanos + 0.1 * Math.max(0, taskNanos);
  }

  /**
   * Hands pending tasks to workers that can take them now, in order (a task waiting for the holder of its values lets
   * those behind it pass), then writes them outside the lock.
   */
  void dispatch() {
    List<WorkerProcess> toFlush = new ArrayList<>(2);
    List<Assignment> lost = List.of();
    List<Assignment> recheck = List.of();
    synchronized (lock) {
      int depth = depth(meanTaskNanos);
      boolean plainBlocked = false;
      for (Iterator<Assignment> it = pending.iterator(); it.hasNext(); ) {
        Assignment next = it.next();
        if (next.run.isCancelled()) {
          remove(it, next);
          continue;
        }
        if (!next.hasInputs()) {
          if (plainBlocked) {
            continue;
          }
          WorkerProcess worker = workerFor(next.frameBytes(), depth);
          if (worker == null) {
            if (located == 0) {
              break; // the common case: nothing behind can go either
            }
            plainBlocked = true; // the tasks without kept inputs keep their order; those with may still go
            continue;
          }
          remove(it, next);
          assign(worker, next, toFlush);
          continue;
        }
        switch (place(next, depth, toFlush)) {
          case SENT, PARKED -> remove(it, next);
          case LOST -> {
            remove(it, next);
            lost = lost.isEmpty() ? new ArrayList<>(2) : lost;
            lost.add(next);
          }
          case WAITING -> {
            if (!next.recheckScheduled && next.waitingSince != 0) {
              next.recheckScheduled = true;
              recheck = recheck.isEmpty() ? new ArrayList<>(2) : recheck;
              recheck.add(next);
            }
          }
          default -> { } // BLOCKED: a reply from some worker dispatches again
        }
      }
    }
    for (WorkerProcess worker : toFlush) {
      bytesWritten.add(worker.flush());
    }
    for (Assignment assignment : lost) {
      failLost(assignment);
    }
    for (Assignment assignment : recheck) {
      long delay = assignment.waitingSince + stealAfterNanos(assignment.copyBytesFor(null)) - System.nanoTime();
      CompletableFuture.delayedExecutor(Math.max(0, delay), TimeUnit.NANOSECONDS).execute(() -> {
        synchronized (lock) {
          assignment.recheckScheduled = false;
        }
        dispatch();
      });
    }
  }

  private enum Placement { SENT, PARKED, LOST, WAITING, BLOCKED }

  /** Where a task that reads kept values goes now, if anywhere; the caller holds the pool's lock. */
  private Placement place(Assignment next, int depth, List<WorkerProcess> toFlush) {
    next.lost = next.lostInput();
    if (next.lost != null) {
      return Placement.LOST;
    }
    WorkerProcess holder = next.largestInput().holder;
    if (holder.isReady()) {
      List<HeldValue> missing = next.missingFor(holder);
      if (!missing.isEmpty()) {
        return park(next, missing, toFlush); // inputs in other workers too: fetch those, then go to this one
      }
      long bytes = encode(next, holder);
      if (bytes < 0) {
        return Placement.SENT; // failed: handed back to its compute
      }
      if (canTake(holder.outstandingCount(), holder.outstandingBytes(), bytes, depth)) {
        return send(holder, next, toFlush);
      }
    }
    // The holder cannot take it now: an idle worker may, once the task has waited longer than moving its values takes.
    long now = System.nanoTime();
    if (next.waitingSince == 0) {
      next.waitingSince = now;
    }
    WorkerProcess thief = idleWorkerBut(holder);
    if (thief == null) {
      return Placement.BLOCKED;
    }
    if (holder.isReady() && now - next.waitingSince < stealAfterNanos(next.copyBytesFor(thief))) {
      return Placement.WAITING;
    }
    List<HeldValue> missing = next.missingFor(thief);
    if (missing.isEmpty()) {
      return encode(next, thief) < 0 ? Placement.SENT : send(thief, next, toFlush);
    }
    return park(next, missing, toFlush);
  }

  /** Takes a task out of the queue until the caller has fetched {@code missing}; the caller holds the pool's lock. */
  private static Placement park(Assignment next, List<HeldValue> missing, List<WorkerProcess> toFlush) {
    next.parked = true;
    for (HeldValue value : missing) {
      // A value it reads twice is awaited once: each value it waits for wakes it once, the last one to the queue.
      if (next.startAwaiting(value) && value.await(next)) {
        BinaryWriter fetch = new BinaryWriter(16);
        WorkerProtocol.writeFetch(fetch, value.handle);
        value.holder.fetching(value);
        value.holder.send(fetch);
        if (!toFlush.contains(value.holder)) {
          toFlush.add(value.holder);
        }
      }
    }
    return Placement.PARKED;
  }

  /**
   * Encodes a task for {@code worker}; -1 if an argument is not a value, which fails it as at submission. The caller
   * holds the pool's lock.
   */
  private static long encode(Assignment next, WorkerProcess worker, ValueCodec values) {
    try {
      return next.encodeFor(worker, values);
    } catch (IllegalArgumentException | IllegalStateException unsendable) {
      next.fail(new IllegalArgumentException("task '" + next.run.key + "' cannot be sent to a worker: "
          + unsendable.getMessage()), null);
      return -1;
    }
  }

  private long encode(Assignment next, WorkerProcess worker) {
    return encode(next, worker, values);
  }

  /** Sends an encoded task, unless its copies make it too large for a frame (it fails then); caller holds the lock. */
  private Placement send(WorkerProcess worker, Assignment next, List<WorkerProcess> toFlush) {
    if (next.frameBytes() > maxFrameBytes) {
      IllegalArgumentException tooLarge = new IllegalArgumentException("task '" + next.run.key
          + "' cannot be sent to a worker: its arguments are " + next.frameBytes() + " bytes encoded, over the "
          + ProcessPoolOptions.MAX_FRAME_BYTES + " of " + maxFrameBytes);
      next.fail(tooLarge, null);
      return Placement.SENT; // handed back to its compute: out of the queue all the same
    }
    assign(worker, next, toFlush);
    return Placement.SENT;
  }

  private void assign(WorkerProcess worker, Assignment next, List<WorkerProcess> toFlush) {
    worker.assign(next);
    if (!toFlush.contains(worker)) {
      toFlush.add(worker);
    }
  }

  private void remove(Iterator<Assignment> it, Assignment next) {
    it.remove();
    if (next.hasInputs()) {
      located--;
    }
  }

  /**
   * Lets go of a value a worker keeps: the caller's copy, if it fetched one, and the worker's, which is told to drop it.
   * Nothing to do once released, or once the worker died. Takes the pool's lock.
   */
  void release(HeldValue value) {
    WorkerProcess holder;
    synchronized (lock) {
      if (value.isReleased()) {
        return;
      }
      value.release();
      holder = value.holder;
      if (holder.isDead() || !holder.forget(value)) {
        return;
      }
      BinaryWriter drop = new BinaryWriter(16);
      WorkerProtocol.writeDrop(drop, new long[] {value.handle});
      holder.send(drop);
    }
    bytesWritten.add(holder.flush());
  }

  /** Fails a task whose input died with its holder before the caller fetched it. */
  private static void failLost(Assignment assignment) {
    HeldValue input = assignment.lost; // set under the pool's lock by the dispatch that took it out of the queue
    WorkerProcess holder = input.holder;
    int exitCode = holder.process.isAlive() ? -1 : holder.process.exitValue();
    String detail = "its input, the value of task '" + input.key + "', was lost: " + holder
        + ", which kept it, died" + (exitCode >= 0 ? " with exit code " + exitCode : "");
    assignment.fail(new WorkerDiedException(detail, exitCode), detail);
  }

  /** A ready worker other than {@code holder} with no task at all; the caller holds the pool's lock. */
  private WorkerProcess idleWorkerBut(WorkerProcess holder) {
    for (WorkerProcess worker : slots) {
      if (worker != null && worker != holder && worker.isReady() && worker.outstandingCount() == 0) {
        return worker;
      }
    }
    return null;
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
