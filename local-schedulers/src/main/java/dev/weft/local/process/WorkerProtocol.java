package dev.weft.local.process;

import dev.weft.value.MalformedValueException;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages between a caller and its worker JVMs: Avro binary encoding of the records in
 * {@code worker-protocol.avsc}, each message a union branch, one message a frame. Written straight from Java values
 * with {@link ValueCodec}, so a 16 MB argument goes from the caller's heap to the socket without a copy.
 *
 * <p>Caller to worker: {@code [RunTask, Fetch, Drop]}. Worker to caller: {@code [Hello, TaskDone, TaskFailed,
 * TaskHeld, Fetched]}.
 *
 * <p>Locality: a worker keeps a result whose encoding is over the task's {@code keepAbove} bytes and answers
 * {@link TaskHeld} (its size) instead of {@link TaskDone}; the value stays in the worker under the task's id, its
 * handle. A later {@link RunTask} names it among its arguments by handle ({@code held}), {@link Fetch} asks for it
 * once, and {@link Drop} lets it go. A worker handles these messages in the order they arrive, like tasks.
 */
final class WorkerProtocol {
  static final int RUN_TASK = 0;
  static final int FETCH = 1;
  static final int DROP = 2;

  static final int HELLO = 0;
  static final int TASK_DONE = 1;
  static final int TASK_FAILED = 2;
  static final int TASK_HELD = 3;
  static final int FETCHED = 4;

  /** {@code keepAbove} of a task whose result must come back whatever its size. */
  static final long KEEP_NOTHING = -1;

  private WorkerProtocol() {}

  /**
   * {@code args[i]} is null where {@code heldIndexes} names {@code i}: that argument is the value this worker keeps
   * under the handle at the same place in {@code heldHandles}.
   */
  record RunTask(long id, String key, String function, Object[] args, long keepAbove, int[] heldIndexes,
      long[] heldHandles) {
    RunTask(long id, String key, String function, Object[] args) {
      this(id, key, function, args, KEEP_NOTHING, new int[0], new long[0]);
    }
  }

  /** Caller to worker: send the value kept under {@code handle}. */
  record Fetch(long handle) {}

  /** Caller to worker: the values kept under these handles are needed no more. */
  record Drop(long[] handles) {}

  /** Worker to caller: task {@code id} succeeded; its value, {@code bytes} encoded, is kept under handle {@code id}. */
  record TaskHeld(long id, long bytes, long startNanos, long endNanos) {}

  /** Worker to caller: the value kept under {@code handle}, or why it cannot be sent ({@code value} null then). */
  record Fetched(long handle, Object value, String error) {}

  /** {@code signatures}: what each of {@code functions} takes and returns, as {@link dev.weft.function.Signature} text. */
  record Hello(int worker, long pid, List<String> modules, List<String> functions, List<String> signatures) {}

  record TaskDone(long id, Object value, long startNanos, long endNanos) {}

  record TaskFailed(long id, String type, String message, String stackTrace) {}

  static void writeRunTask(BinaryWriter out, ValueCodec values, long id, String key, String function, Object[] args) {
    writeRunTask(out, values, id, key, function, args, KEEP_NOTHING, new int[0], new long[0]);
  }

  /** As above, with the arguments at {@code heldIndexes} sent as handles of values the worker keeps. */
  static void writeRunTask(BinaryWriter out, ValueCodec values, long id, String key, String function, Object[] args,
      long keepAbove, int[] heldIndexes, long[] heldHandles) {
    out.writeInt(RUN_TASK);
    out.writeLong(id);
    out.writeString(key);
    out.writeString(function);
    if (args.length > 0) {
      out.writeLong(args.length);
      int next = 0;
      for (int i = 0; i < args.length; i++) {
        if (next < heldIndexes.length && heldIndexes[next] == i) {
          values.write(null, out);
          next++;
        } else {
          values.write(args[i], out);
        }
      }
    }
    out.writeLong(0);
    out.writeLong(keepAbove);
    if (heldIndexes.length > 0) {
      out.writeLong(heldIndexes.length);
      for (int i = 0; i < heldIndexes.length; i++) {
        out.writeInt(heldIndexes[i]);
        out.writeLong(heldHandles[i]);
      }
    }
    out.writeLong(0);
  }

  static void writeFetch(BinaryWriter out, long handle) {
    out.writeInt(FETCH);
    out.writeLong(handle);
  }

  static void writeDrop(BinaryWriter out, long[] handles) {
    out.writeInt(DROP);
    if (handles.length > 0) {
      out.writeLong(handles.length);
      for (long handle : handles) {
        out.writeLong(handle);
      }
    }
    out.writeLong(0);
  }

  /** Reads one caller-to-worker message: a {@link RunTask}, {@link Fetch} or {@link Drop}. */
  static Object readFromCaller(BinaryReader in, ValueCodec values) {
    int branch = in.readInt();
    switch (branch) {
      case RUN_TASK:
        return readRunTaskBody(in, values);
      case FETCH:
        return new Fetch(in.readLong());
      case DROP:
        List<Long> handles = new ArrayList<>();
        for (long count = in.readBlockCount(1); count != 0; count = in.readBlockCount(1)) {
          for (long i = 0; i < count; i++) {
            handles.add(in.readLong());
          }
        }
        return new Drop(handles.stream().mapToLong(Long::longValue).toArray());
      default:
        throw new MalformedValueException("unknown message " + branch + " from the caller");
    }
  }

  static RunTask readRunTask(BinaryReader in, ValueCodec values) {
    Object message = readFromCaller(in, values);
    if (!(message instanceof RunTask task)) {
      throw new MalformedValueException("expected a task from the caller, got " + message);
    }
    return task;
  }

  private static RunTask readRunTaskBody(BinaryReader in, ValueCodec values) {
    long id = in.readLong();
    String key = in.readString();
    String function = in.readString();
    List<Object> args = new ArrayList<>();
    try {
      for (long count = in.readBlockCount(1); count != 0; count = in.readBlockCount(1)) {
        for (long i = 0; i < count; i++) {
          args.add(values.read(in));
        }
      }
    } catch (MalformedValueException e) {
      throw new UnreadableArguments(id, "the arguments of task '" + key + "' cannot be read: " + e.getMessage());
    }
    long keepAbove = in.readLong();
    List<Integer> indexes = new ArrayList<>();
    List<Long> handles = new ArrayList<>();
    for (long count = in.readBlockCount(2); count != 0; count = in.readBlockCount(2)) {
      for (long i = 0; i < count; i++) {
        indexes.add(in.readInt());
        handles.add(in.readLong());
      }
    }
    return new RunTask(id, key, function, args.toArray(), keepAbove,
        indexes.stream().mapToInt(Integer::intValue).toArray(), handles.stream().mapToLong(Long::longValue).toArray());
  }

  /** A task whose arguments cannot be read (beyond this worker's decode limits): it fails; the worker goes on. */
  static final class UnreadableArguments extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final long id;

    UnreadableArguments(long id, String message) {
      super(message);
      this.id = id;
    }
  }

  static void writeHello(BinaryWriter out, int worker, long pid, List<String> modules, List<String> functions,
      List<String> signatures) {
    out.writeInt(HELLO);
    out.writeInt(worker);
    out.writeLong(pid);
    out.writeStrings(modules);
    out.writeStrings(functions);
    out.writeStrings(signatures);
  }

  static void writeTaskDone(BinaryWriter out, ValueCodec values, long id, Object value, long start, long end) {
    out.writeInt(TASK_DONE);
    out.writeLong(id);
    values.write(value, out);
    out.writeLong(start);
    out.writeLong(end);
  }

  static void writeTaskHeld(BinaryWriter out, long id, long bytes, long start, long end) {
    out.writeInt(TASK_HELD);
    out.writeLong(id);
    out.writeLong(bytes);
    out.writeLong(start);
    out.writeLong(end);
  }

  static void writeFetched(BinaryWriter out, ValueCodec values, long handle, Object value, String error) {
    out.writeInt(FETCHED);
    out.writeLong(handle);
    values.write(value, out);
    writeOptional(out, error);
  }

  private static void writeOptional(BinaryWriter out, String text) {
    if (text == null) {
      out.writeInt(0);
    } else {
      out.writeInt(1);
      out.writeString(text);
    }
  }

  private static String readOptional(BinaryReader in) {
    int optional = in.readInt();
    if (optional != 0 && optional != 1) {
      throw new MalformedValueException("unknown branch " + optional + " of an optional message");
    }
    return optional == 1 ? in.readString() : null;
  }

  static void writeTaskFailed(BinaryWriter out, long id, String type, String message, String stackTrace) {
    out.writeInt(TASK_FAILED);
    out.writeLong(id);
    out.writeString(type);
    writeOptional(out, message);
    out.writeString(stackTrace);
  }

  /** Reads one worker-to-caller message: {@link Hello}, {@link TaskDone}, {@link TaskFailed}, {@link TaskHeld} or
   * {@link Fetched}. */
  static Object readFromWorker(BinaryReader in, ValueCodec values) {
    int branch = in.readInt();
    switch (branch) {
      case HELLO:
        return new Hello(in.readInt(), in.readLong(), in.readStrings(), in.readStrings(), in.readStrings());
      case TASK_DONE:
        return new TaskDone(in.readLong(), values.read(in), in.readLong(), in.readLong());
      case TASK_FAILED:
        long id = in.readLong();
        String type = in.readString();
        String message = readOptional(in);
        return new TaskFailed(id, type, message, in.readString());
      case TASK_HELD:
        return new TaskHeld(in.readLong(), in.readLong(), in.readLong(), in.readLong());
      case FETCHED:
        return new Fetched(in.readLong(), values.read(in), readOptional(in));
      default:
        throw new MalformedValueException("unknown message " + branch + " from a worker");
    }
  }
}
