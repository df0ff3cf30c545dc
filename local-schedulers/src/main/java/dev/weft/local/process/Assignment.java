package dev.weft.local.process;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskRun;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task run handed to the pool, with where its completion goes, the id it travels under, and its frame.
 *
 * <p>A run whose arguments include values kept in workers ({@link HeldValue}) is encoded only once the dispatcher has
 * chosen its worker: an argument kept by that worker travels as its handle, any other as the caller's copy. Until
 * then its place in the queue and its state of waiting for a holder or a fetch are guarded by the pool's lock.
 */
final class Assignment {
  final long id;
  final TaskRun run;
  final CompletionQueue completions;
  /** Results encoded over this many bytes stay in the worker ({@link WorkerProtocol#KEEP_NOTHING}: never). */
  final long keepAbove;
  /** Arguments kept in workers, top-level ones (which a holder can be sent by handle) first; empty for most runs. */
  private final List<HeldValue> inputs;
  /** How many of {@link #inputs} are top-level arguments; those after are inside lists, always sent as copies. */
  private final int topLevel;
  private BinaryWriter frame;
  /** The worker {@link #frame} was encoded for, when the run has inputs. */
  private WorkerProcess encodedFor;
  /** When the run first found the holder of its inputs unable to take it; 0 while it has not waited. */
  long waitingSince;
  /** Whether a later dispatch is already scheduled to look at this run again. */
  boolean recheckScheduled;
  /** Whether it waits for a fetch, out of the queue. */
  boolean parked;
  /** The input found lost with its holder, which fails the run. */
  HeldValue lost;
  /** The kept values it waits for while parked; it goes back to the queue once the last has come (or will not). */
  private List<HeldValue> awaiting = List.of();
  /** Whether it was handed back as failed: once only, whatever wakes it later. */
  private final AtomicBoolean failed = new AtomicBoolean();

  Assignment(long id, TaskRun run, CompletionQueue completions) {
    this(id, run, completions, WorkerProtocol.KEEP_NOTHING);
  }

  Assignment(long id, TaskRun run, CompletionQueue completions, long keepAbove) {
    this.id = id;
    this.run = run;
    this.completions = completions;
    this.keepAbove = keepAbove;
    this.inputs = heldInputs(run.args());
    int top = 0;
    for (Object arg : run.args()) {
      if (arg instanceof HeldValue) {
        top++;
      }
    }
    this.topLevel = top;
  }

  private static List<HeldValue> heldInputs(Object[] args) {
    List<HeldValue> found = null;
    for (Object arg : args) {
      if (arg instanceof HeldValue held) {
        found = found == null ? new ArrayList<>(2) : found;
        found.add(held);
      }
    }
    for (Object arg : args) {
      if (arg instanceof List<?> list) {
        found = nestedInputs(list, found);
      }
    }
    return found == null ? List.of() : found;
  }

  private static List<HeldValue> nestedInputs(List<?> list, List<HeldValue> found) {
    for (Object item : list) {
      if (item instanceof HeldValue held) {
        found = found == null ? new ArrayList<>(2) : found;
        found.add(held);
      } else if (item instanceof List<?> inner) {
        found = nestedInputs(inner, found);
      }
    }
    return found;
  }

  /** Whether some argument is a value kept in a worker: where the run goes then matters. */
  boolean hasInputs() {
    return !inputs.isEmpty();
  }

  /** The largest argument kept in a worker: its holder is where the run should go. Caller holds the pool's lock. */
  HeldValue largestInput() {
    HeldValue largest = null;
    for (HeldValue input : inputs) {
      if (largest == null || input.bytes > largest.bytes) {
        largest = input;
      }
    }
    return largest;
  }

  /** An argument no worker and not the caller has any more, or null. Caller holds the pool's lock. */
  HeldValue lostInput() {
    for (HeldValue input : inputs) {
      if (input.isLost()) {
        return input;
      }
    }
    return null;
  }

  /** Arguments the caller must fetch before the run can go to {@code worker}. Caller holds the pool's lock. */
  List<HeldValue> missingFor(WorkerProcess worker) {
    List<HeldValue> missing = List.of();
    for (int i = 0; i < inputs.size(); i++) {
      HeldValue input = inputs.get(i);
      boolean byHandle = i < topLevel && input.holder == worker;
      if (!byHandle && !input.isCopied()) {
        missing = missing.isEmpty() ? new ArrayList<>(2) : missing;
        missing.add(input);
      }
    }
    return missing;
  }

  /** Bytes of copies the run would carry to {@code worker}: what sending it there rather than to a holder costs. */
  long copyBytesFor(WorkerProcess worker) {
    long bytes = 0;
    for (int i = 0; i < inputs.size(); i++) {
      if (i >= topLevel || inputs.get(i).holder != worker) {
        bytes += inputs.get(i).bytes;
      }
    }
    return bytes;
  }

  /**
   * Encodes the {@code RunTask} message once (large byte arguments are referenced, not copied) and returns its size.
   * Only for runs without {@link #hasInputs() inputs}: those are encoded by {@link #encodeFor}.
   *
   * @throws IllegalArgumentException if an argument is not a Weft value
   */
  long encode(ValueCodec values) {
    if (frame == null) {
      BinaryWriter out = new BinaryWriter(128);
      WorkerProtocol.writeRunTask(out, values, id, run.key, run.functionName, run.args(), keepAbove, new int[0],
          new long[0]);
      frame = out;
    }
    return frame.length();
  }

  /**
   * Encodes the message for {@code worker}: arguments it keeps as handles, the others as the caller's copies, which
   * {@link #missingFor} must have found all there. Caller holds the pool's lock.
   *
   * @throws IllegalArgumentException if an argument is not a Weft value
   */
  long encodeFor(WorkerProcess worker, ValueCodec values) {
    if (frame != null && encodedFor == worker) {
      return frame.length();
    }
    Object[] args = run.args().clone();
    int[] indexes = new int[topLevel];
    long[] handles = new long[topLevel];
    int byHandle = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof HeldValue held) {
        if (held.holder == worker) {
          indexes[byHandle] = i;
          handles[byHandle++] = held.handle;
        } else {
          args[i] = held.copy();
        }
      } else if (args[i] instanceof List<?> list) {
        args[i] = withCopies(list);
      }
    }
    BinaryWriter out = new BinaryWriter(128);
    WorkerProtocol.writeRunTask(out, values, id, run.key, run.functionName, args, keepAbove,
        java.util.Arrays.copyOf(indexes, byHandle), java.util.Arrays.copyOf(handles, byHandle));
    frame = out;
    encodedFor = worker;
    return frame.length();
  }

  private static List<Object> withCopies(List<?> list) {
    List<Object> copied = new ArrayList<>(list.size());
    for (Object item : list) {
      if (item instanceof HeldValue held) {
        copied.add(held.copy());
      } else if (item instanceof List<?> inner) {
        copied.add(withCopies(inner));
      } else {
        copied.add(item);
      }
    }
    return copied;
  }

  /** The encoded message; {@link #encode} or {@link #encodeFor} first. */
  BinaryWriter frame() {
    return frame;
  }

  long frameBytes() {
    return frame == null ? 0 : frame.length();
  }

  /**
   * Records that the run waits for {@code value} while parked; false if it already does (it reads the value twice).
   * Caller holds the pool's lock.
   */
  boolean startAwaiting(HeldValue value) {
    for (HeldValue awaited : awaiting) {
      if (awaited == value) {
        return false;
      }
    }
    awaiting = awaiting.isEmpty() ? new ArrayList<>(2) : awaiting;
    awaiting.add(value);
    return true;
  }

  /**
   * The fetch of {@code value} came, or will not come; true if the run now waits for nothing and has not failed: it
   * goes back to the queue. Caller holds the pool's lock.
   */
  boolean arrived(HeldValue value) {
    awaiting.removeIf(awaited -> awaited == value);
    return awaiting.isEmpty() && !failed.get();
  }

  /**
   * Hands the run back to its compute as failed; {@code detail} as {@link TaskRun#failed}. Only the first call counts:
   * a run waiting for two values can be failed for each.
   */
  void fail(Throwable cause, String detail) {
    if (!failed.compareAndSet(false, true)) {
      return;
    }
    run.failed(cause, detail);
    completions.put(run);
  }
}
