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
 * <p>Caller to worker: {@code [RunTask]}. Worker to caller: {@code [Hello, TaskDone, TaskFailed]}.
 */
final class WorkerProtocol {
  static final int RUN_TASK = 0;

  static final int HELLO = 0;
  static final int TASK_DONE = 1;
  static final int TASK_FAILED = 2;

  private WorkerProtocol() {}

  record RunTask(long id, String key, String function, Object[] args) {}

  /** {@code signatures}: what each of {@code functions} takes and returns, as {@link dev.weft.function.Signature} text. */
  record Hello(int worker, long pid, List<String> modules, List<String> functions, List<String> signatures) {}

  record TaskDone(long id, Object value, long startNanos, long endNanos) {}

  record TaskFailed(long id, String type, String message, String stackTrace) {}

  static void writeRunTask(BinaryWriter out, ValueCodec values, long id, String key, String function, Object[] args) {
    out.writeInt(RUN_TASK);
    out.writeLong(id);
    out.writeString(key);
    out.writeString(function);
    if (args.length > 0) {
      out.writeLong(args.length);
      for (Object arg : args) {
        values.write(arg, out);
      }
    }
    out.writeLong(0);
  }

  static RunTask readRunTask(BinaryReader in, ValueCodec values) {
    int branch = in.readInt();
    if (branch != RUN_TASK) {
      throw new MalformedValueException("unknown message " + branch + " from the caller");
    }
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
    return new RunTask(id, key, function, args.toArray());
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

  static void writeTaskFailed(BinaryWriter out, long id, String type, String message, String stackTrace) {
    out.writeInt(TASK_FAILED);
    out.writeLong(id);
    out.writeString(type);
    if (message == null) {
      out.writeInt(0);
    } else {
      out.writeInt(1);
      out.writeString(message);
    }
    out.writeString(stackTrace);
  }

  /** Reads one worker-to-caller message: a {@link Hello}, {@link TaskDone} or {@link TaskFailed}. */
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
        int optional = in.readInt();
        String message = optional == 1 ? in.readString() : null;
        if (optional != 0 && optional != 1) {
          throw new MalformedValueException("unknown branch " + optional + " of an optional message");
        }
        return new TaskFailed(id, type, message, in.readString());
      default:
        throw new MalformedValueException("unknown message " + branch + " from a worker");
    }
  }
}
