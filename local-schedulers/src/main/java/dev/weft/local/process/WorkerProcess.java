package dev.weft.local.process;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
  /** Assigned, not yet written; in assignment order. Guarded by this queue. */
  private final ArrayDeque<Assignment> toWrite = new ArrayDeque<>();
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
    synchronized (toWrite) {
      toWrite.add(assignment);
    }
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
    synchronized (toWrite) {
      toWrite.clear();
    }
    return unanswered;
  }

  /**
   * Writes the queued frames, in order, in one call. The pool assigns only what the worker can take without this
   * write waiting for long (see {@link Dispatcher}); a write error means the worker is gone, which the pool handles
   * when it reads the end of the worker's stream.
   */
  void flush() {
    synchronized (writeLock) {
      List<dev.weft.value.internal.BinaryWriter> frames = new ArrayList<>();
      synchronized (toWrite) {
        for (Assignment next; (next = toWrite.poll()) != null; ) {
          frames.add(next.frame());
        }
      }
      if (frames.isEmpty()) {
        return;
      }
      try {
        channel.write(frames);
      } catch (IOException e) {
        // The connection is broken: stop the process, so that the end of its stream fails or requeues what was
        // assigned to it and a new worker takes its place.
        process.destroyForcibly();
      }
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
