package dev.weft.local.process;

import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskContext;
import dev.weft.function.internal.ResultLimit;
import dev.weft.function.internal.TaskInvocation;
import dev.weft.scheduler.ErrorText;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a worker JVM of the process pool. It connects to the caller's Unix domain socket, says hello with
 * the functions it can run, then runs the tasks it receives one at a time, in order, answering each with its result or
 * its error. A result larger than the task allows to travel back is kept here and only its size sent; the caller
 * names it in later tasks, fetches it or drops it ({@link WorkerProtocol}). It exits when the caller closes the
 * connection, so workers never outlive their caller.
 *
 * <p>Functions come from the modules on this JVM's classpath and in the plugin folder, if one is given: a message
 * can only name a function that a loaded module registered.
 *
 * <p>Arguments: {@code socket-path worker-id max-frame-bytes [plugin-folder]}.
 */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: WorkerMain socket-path worker-id max-frame-bytes [plugin-folder]");
      System.exit(2);
    }
    Path socket = Path.of(args[0]);
    int workerId = Integer.parseInt(args[1]);
    int maxFrameBytes = Integer.parseInt(args[2]);
    // A worker busy in a long task would not notice its caller's socket closing: watch the caller itself.
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(WorkerMain.class.getClassLoader());
    if (args.length > 3) {
      registry.loadPlugins(Path.of(args[3]));
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      System.err.println("weft worker " + workerId + ": cannot connect to its pool at " + socket + " (" + e.getMessage()
          + "); the pool was closed or its caller is gone");
      System.exit(1);
    }
    try (FrameChannel frames = new FrameChannel(channel, maxFrameBytes)) {
      new WorkerMain.Loop(frames, registry, workerId, maxFrameBytes).run();
    }
    System.exit(0);
  }

  /**
   * Runs tasks in the order they arrive and answers each before starting the next: if the next one kills the JVM, the
   * caller must know which tasks finished, so that it blames the right one. Waiting spins on the socket for a short
   * while first, because in a chain of small tasks the next one arrives within microseconds, sooner than a sleeping
   * thread wakes.
   */
  private static final class Loop {
    private static final long SPIN_NANOS = Long.getLong("weft.worker.spin.nanos", 50_000L);

    private final FrameChannel frames;
    private final FunctionRegistry registry;
    private final int workerId;
    private final ValueCodec values = new ValueCodec();
    private final BinaryWriter reply = new BinaryWriter(4096);
    private final ResultLimit resultLimit;
    private final TaskContext context;
    /** Values kept for the caller, by handle (the id of the task that produced them), until it drops them. */
    private final Map<Long, Object> kept = new HashMap<>();

    Loop(FrameChannel frames, FunctionRegistry registry, int workerId, int maxFrameBytes) {
      this.resultLimit = ResultLimit.ofSetting(ProcessPoolOptions.MAX_FRAME_BYTES.key(), maxFrameBytes,
          "a frame to the caller");
      this.context = resultLimit.context("processes", registry);
      this.frames = frames;
      this.registry = registry;
      this.workerId = workerId;
    }

    void run() throws IOException {
      BinaryWriter hello = new BinaryWriter(4096);
      List<String> names = new ArrayList<>(registry.names());
      WorkerProtocol.writeHello(hello, workerId, ProcessHandle.current().pid(), registry.modules(), names,
          names.stream().map(name -> registry.signature(name).toString()).toList());
      frames.write(hello);
      ByteBuffer frame;
      while ((frame = frames.next(SPIN_NANOS)) != null) {
        reply.reset();
        Object message;
        try {
          message = WorkerProtocol.readFromCaller(new BinaryReader(frame), values);
        } catch (WorkerProtocol.UnreadableArguments e) {
          fail(e.id, e, reply);
          frames.write(reply);
          continue;
        }
        if (message instanceof WorkerProtocol.RunTask task) {
          runInto(task, reply);
        } else if (message instanceof WorkerProtocol.Fetch fetch) {
          Object value = kept.get(fetch.handle());
          WorkerProtocol.writeFetched(reply, values, fetch.handle(), value,
              value != null || kept.containsKey(fetch.handle()) ? null
                  : "worker " + workerId + " keeps no value under handle " + fetch.handle());
        } else {
          for (long handle : ((WorkerProtocol.Drop) message).handles()) {
            kept.remove(handle);
          }
          continue; // nothing to answer
        }
        frames.write(reply);
      }
    }

    private void runInto(WorkerProtocol.RunTask task, BinaryWriter reply) {
      Object[] args = task.args();
      for (int i = 0; i < task.heldIndexes().length; i++) {
        long handle = task.heldHandles()[i];
        Object value = kept.get(handle);
        if (value == null && !kept.containsKey(handle)) {
          fail(task.id(), new IllegalStateException("argument " + task.heldIndexes()[i] + " of task '" + task.key()
              + "' is no longer kept by worker " + workerId + " (handle " + handle + ")"), reply);
          return;
        }
        // Readers of one kept buffer each get their own position, as each got its own copy when values travelled.
        args[task.heldIndexes()[i]] = value instanceof ByteBuffer buffer ? buffer.duplicate() : value;
      }
      TaskInvocation run = new TaskInvocation();
      run.invoke(context, registry, task.function(), args);
      run.encodeResult(task.key(), resultLimit, maxBytes -> {
        WorkerProtocol.writeTaskDone(reply.limitedTo(maxBytes), values, task.id(), run.result(), run.startNanos(),
            run.endNanos());
        return reply;
      }, BinaryWriter::length);
      if (run.isFailed()) {
        reply.reset();
        fail(task.id(), run.error(), reply);
      } else if (task.keepAbove() >= 0 && reply.length() > task.keepAbove()) {
        long bytes = reply.length();
        reply.reset();
        WorkerProtocol.writeTaskHeld(reply, task.id(), bytes, run.startNanos(), run.endNanos());
        kept.put(task.id(), run.result());
      }
    }

    private void fail(long taskId, Throwable error, BinaryWriter reply) {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      // Cut here: a message that prints a large argument must not make the failure too large for its frame.
      WorkerProtocol.writeTaskFailed(reply, taskId, error.getClass().getName(), ErrorText.message(error.getMessage()),
          ErrorText.stackTrace(trace.toString()));
    }
  }
}
