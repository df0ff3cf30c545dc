package dev.weft.local.process;

import dev.weft.value.internal.BinaryWriter;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The caller's side of one worker JVM: the process, its connection once it said hello, and the tasks sent to it and not
 * yet answered, in the order sent (the worker runs them in that order, so the first is the one running). The pool's
 * lock guards the task bookkeeping; {@link #flush()} writes assigned tasks in assignment order.
 */
final class WorkerProcess {
  final int id;
  final int slot;
  final Process process;
  final OutputTail output = new OutputTail();
  final String name;

  /** Set once the worker said hello; null until then. */
  private volatile FrameChannel channel;
  /** Tasks sent or about to be sent, by id, in order. Guarded by the pool's lock. */
  private final Map<Long, Assignment> outstanding = new LinkedHashMap<>();
  /** Bytes of the outstanding tasks' frames. Guarded by the pool's lock. */
  private long outstandingBytes;
  /** Frames assigned or sent (tasks, fetches, drops), not yet written; in order. Guarded by this queue. */
  private final ArrayDeque<BinaryWriter> toWrite = new ArrayDeque<>();
  /** Values this worker keeps for the caller, by handle. Guarded by the pool's lock. */
  private final Map<Long, HeldValue> kept = new HashMap<>();
  /** Values asked for and not yet sent back, in the order asked (the worker answers in order). Pool's lock. */
  private final ArrayDeque<HeldValue> fetches = new ArrayDeque<>();
  private final Object writeLock = new Object();
  /** Guarded by the pool's lock. */
  private boolean dead;

  WorkerProcess(int id, int slot, Process process) {
    this.id = id;
    this.slot = slot;
    this.process = process;
    this.name = "worker-" + id + " (pid " + process.pid() + ")";
  }

  void connected(FrameChannel frames) {
    this.channel = frames;
  }

  /** The connection, or null before the worker said hello. */
  FrameChannel channel() {
    return channel;
  }

  boolean isReady() {
    return channel != null && !dead;
  }

  boolean isDead() {
    return dead;
  }

  int outstandingCount() {
    return outstanding.size();
  }

  /** The task the worker runs now (the first sent and not answered), or null; the caller holds the pool's lock. */
  Assignment running() {
    return outstanding.isEmpty() ? null : outstanding.values().iterator().next();
  }

  /** Whether a cancelled run is among those sent and not answered; the caller holds the pool's lock. */
  boolean holdsCancelled() {
    return outstanding.values().stream().anyMatch(assignment -> assignment.run.isCancelled());
  }

  long outstandingBytes() {
    return outstandingBytes;
  }

  /** Records the task, already encoded, as sent to this worker and queues it; the caller holds the pool's lock. */
  void assign(Assignment assignment) {
    outstanding.put(assignment.id, assignment);
    outstandingBytes += assignment.frameBytes();
    send(assignment.frame());
  }

  /** Queues a frame other than a task's (a fetch, a drop) behind those queued; {@link #flush()} writes it. */
  void send(BinaryWriter frame) {
    synchronized (toWrite) {
      toWrite.add(frame);
    }
  }

  /** Records a value the worker kept for the caller; the caller holds the pool's lock. */
  void keeps(HeldValue value) {
    kept.put(value.handle, value);
  }

  /** Forgets a value the caller released; true if the worker still had it. The caller holds the pool's lock. */
  boolean forget(HeldValue value) {
    return kept.remove(value.handle, value);
  }

  /** How many values the worker keeps for the caller; the caller holds the pool's lock. */
  int keptCount() {
    return kept.size();
  }

  /**
   * The runs that waited for values this worker was asked to send, which a dead worker will not send; the caller
   * holds the pool's lock.
   */
  List<Assignment> abandonFetches() {
    List<Assignment> waiting = new ArrayList<>();
    for (HeldValue value; (value = fetches.poll()) != null; ) {
      for (Assignment assignment : value.fetchFailed()) {
        if (assignment.arrived(value)) { // one still waiting for another worker's value is woken by that one
          waiting.add(assignment);
        }
      }
    }
    return waiting;
  }

  /** Records a fetch asked of the worker; the caller holds the pool's lock. */
  void fetching(HeldValue value) {
    fetches.add(value);
  }

  /** The value a fetch reply is for (the first asked and not answered), or null; the caller holds the pool's lock. */
  HeldValue fetched(long handle) {
    HeldValue first = fetches.peek();
    if (first == null || first.handle != handle) {
      return null;
    }
    return fetches.poll();
  }

  /** Removes an answered task; the caller holds the pool's lock. Null if it is not outstanding here. */
  Assignment answered(long taskId) {
    Assignment assignment = outstanding.remove(taskId);
    if (assignment != null) {
      outstandingBytes -= assignment.frameBytes();
    }
    return assignment;
  }

  /** Marks the worker dead and returns what it had not answered, in the order sent; the caller holds the pool's lock. */
  List<Assignment> die() {
    dead = true;
    List<Assignment> unanswered = new ArrayList<>(outstanding.values());
    outstanding.clear();
    outstandingBytes = 0;
    kept.clear(); // lost with the process: HeldValue#isLost says so to whoever needs them
    synchronized (toWrite) {
      toWrite.clear();
    }
    return unanswered;
  }

  /**
   * Writes the queued frames, in order, in one call. The pool assigns only what the worker can take without this
   * write waiting for long (see {@link Dispatcher}); a write error means the worker is gone, which the pool handles
   * when it reads the end of the worker's stream.
   *
   * @return the bytes of the frames written
   */
  long flush() {
    synchronized (writeLock) {
      List<BinaryWriter> frames = new ArrayList<>();
      long bytes = 0;
      synchronized (toWrite) {
        for (BinaryWriter next; (next = toWrite.poll()) != null; ) {
          frames.add(next);
          bytes += next.length();
        }
      }
      if (frames.isEmpty()) {
        return 0;
      }
      try {
        channel.write(frames);
      } catch (IOException e) {
        // The connection is broken: stop the process, so that the end of its stream fails or requeues what was
        // assigned to it and a new worker takes its place.
        process.destroyForcibly();
      }
      return bytes;
    }
  }

  void close() {
    FrameChannel frames = channel;
    if (frames != null) {
      try {
        frames.close();
      } catch (IOException e) {
        // closing a socket whose peer is gone
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
