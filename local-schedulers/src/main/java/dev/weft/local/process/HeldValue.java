package dev.weft.local.process;

import java.util.ArrayList;
import java.util.List;

/**
 * A task's result that stayed in the worker JVM that produced it, as the scheduling loop holds it in place of the value:
 * which worker has it, under which handle, how large it is, and the caller's copy once fetched. Tasks that read it
 * are sent to its holder when they can be; one sent elsewhere waits for a fetch, after which the copy serves every
 * later reader. Guarded by the pool's lock.
 */
final class HeldValue {
  final WorkerProcess holder;
  /** The id of the task that produced it, under which the holder keeps it. */
  final long handle;
  /** Its size encoded: what sending it elsewhere costs. */
  final long bytes;
  /** The key of the task that produced it, to say which value a death lost. */
  final String key;

  private Object copy;
  private boolean copied;
  private boolean fetching;
  private boolean released;
  /** Assignments parked until the copy arrives. */
  private List<Assignment> waiting;

  HeldValue(WorkerProcess holder, long handle, long bytes, String key) {
    this.holder = holder;
    this.handle = handle;
    this.bytes = bytes;
    this.key = key;
  }

  /** Whether the caller has the value: it can be sent to any worker. */
  boolean isCopied() {
    return copied;
  }

  Object copy() {
    return copy;
  }

  /** Whether neither the holder nor the caller has it any more: its holder died before it was fetched. */
  boolean isLost() {
    return !copied && holder.isDead();
  }

  boolean isReleased() {
    return released;
  }

  /**
   * Parks {@code assignment} until the copy arrives.
   *
   * @return true if a fetch must be sent to the holder (none is on its way yet)
   */
  boolean await(Assignment assignment) {
    if (waiting == null) {
      waiting = new ArrayList<>(2);
    }
    waiting.add(assignment);
    boolean send = !fetching;
    fetching = true;
    return send;
  }

  /** Records the fetched copy (unless released meanwhile) and returns the assignments that waited for it. */
  List<Assignment> fetched(Object value) {
    fetching = false;
    if (!released) {
      copy = value;
      copied = true;
    }
    return takeWaiting();
  }

  /** The fetch will not come (the holder died or refused it): returns the assignments that waited for it. */
  List<Assignment> fetchFailed() {
    fetching = false;
    return takeWaiting();
  }

  private List<Assignment> takeWaiting() {
    List<Assignment> parked = waiting == null ? List.of() : waiting;
    waiting = null;
    return parked;
  }

  /** No task needs it any more: the caller's copy goes; the caller tells the holder to drop its own. */
  void release() {
    released = true;
    copy = null;
    copied = false;
  }

  @Override
  public String toString() {
    return "value of task '" + key + "' (" + bytes + " bytes, held by " + holder + ")";
  }
}
