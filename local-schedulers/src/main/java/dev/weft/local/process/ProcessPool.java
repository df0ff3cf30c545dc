package dev.weft.local.process;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.Signature;
import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskRun;
import dev.weft.scheduler.RemoteTaskException;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of worker JVMs on this machine, started once and reused by every compute that asks for the same pool.
 *
 * <p>Workers connect back to a Unix domain socket in a folder only this user can enter: nothing listens on the
 * network, and no other user can hand a worker a task. Each worker runs one task at a time. To keep tiny tasks cheap
 * the pool sends a worker more while it runs one: as many as make about a millisecond of queued work (judged from the
 * tasks' measured durations), and only while their frames fit the socket's buffer. So a write to a busy worker never
 * waits, and a large argument goes only to a worker that is idle, reading.
 *
 * <p>Nothing on the caller's side waits in a thread of its own for replies: a compute that waits for its tasks reads
 * the workers' sockets itself. One waiting compute at a time leads, blocking in the pool's selector; the others park
 * until a reply for them arrives or the leader leaves. A chain of tiny tasks therefore costs no thread wake-up on the
 * caller's side, and the worker, which spins briefly on its socket between tasks, answers without one either.
 *
 * <p>When a worker dies (it exits, exhausts its heap, or is killed), the task it was running fails with a
 * {@link WorkerDiedException} that says how; the tasks queued behind it, which never started, go to other workers; and
 * a new worker takes its place. If new workers keep dying before they say hello, the pool gives up and fails what
 * waits, with the workers' last output, rather than hang.
 *
 * <p>Locks, outermost first; a thread that holds one takes only those after it:
 * <ol>
 *   <li>{@code replyReader}: held by the one compute that reads the workers' sockets (fair, so that burying a dead
 *       worker, which reads what it sent last, is not starved);
 *   <li>{@code lock}: the slots, the workers starting, the pending assignments and each worker's outstanding tasks;
 *   <li>a worker's {@code writeLock}, then its {@code toWrite} queue ({@link WorkerProcess}): one writer of its socket.
 * </ol>
 * Frames are written after {@code lock} is released, and no lock is held while a process is waited for. A worker
 * whose process exits is buried on a thread of its own, not on the process-exit callback's.
 */
final class ProcessPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessPool.class);
  private static final int MAX_DEPTH = 16;
  /** Bytes queued to a busy worker: under its socket's send buffer, so a write to it never waits. */
  private static final long PIPELINE_BYTES = 64 * 1024;
  private static final double TARGET_QUEUED_NANOS = 1_000_000;
  private static final int START_FAILURES_BEFORE_GIVING_UP = 3;
  private static final long START_TIMEOUT_SECONDS = 120;
  private static final long EXIT_WAIT_MILLIS = 5_000;
  private static final long HELLO_TIMEOUT_MILLIS = 30_000;
  /** How long a worker may go on with a task of a cancelled compute before it is stopped. */
  static final long CANCEL_GRACE_MILLIS = 1_000;
  /** A waiting compute looks again at least this often, whoever is meant to wake it. */
  private static final long FOLLOWER_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** What makes two pools the same pool. */
  record Config(int workers, List<String> jvmOptions, Path pluginDir, int maxFrameBytes) {
    Config {
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  private final Config config;
  private final ValueCodec values = new ValueCodec();
  private final Path socketDir;
  private final Path socketPath;
  private final ServerSocketChannel server;
  private final AtomicLong taskIds = new AtomicLong();

  private final Object lock = new Object();
  private final WorkerProcess[] slots;
  private final Map<Integer, WorkerProcess> starting = new HashMap<>();
  private final ArrayDeque<Assignment> pending = new ArrayDeque<>();
  private int nextWorkerId;
  private int startFailures;
  private String brokenReason;
  /** Written under {@code lock}; read without it by computes that wait for replies. */
  private volatile boolean closed;
  private double meanTaskNanos = TARGET_QUEUED_NANOS / 2;

  private final Selector selector;
  /**
   * Whose turn it is to read the workers' replies (not a read lock: one holder reads for every waiting compute). Fair,
   * and taken with a timed tryLock that honours fairness, so that burying a worker is not starved.
   */
  private final ReentrantLock replyReader = new ReentrantLock(true);
  private volatile Thread reading;
  private final java.util.Set<Thread> waiting = ConcurrentHashMap.newKeySet();

  private final CountDownLatch firstHello = new CountDownLatch(1);
  private volatile FunctionCatalog catalog;

  ProcessPool(Config config) {
    this.config = config;
    this.slots = new WorkerProcess[config.workers()];
    try {
      socketDir = Files.createTempDirectory(shortTempRoot(), "weft-pool-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      socketPath = socketDir.resolve("pool.sock");
      // A JVM that exits without closing the pool still removes them (files go first: reverse order of these).
      socketDir.toFile().deleteOnExit();
      socketPath.toFile().deleteOnExit();
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socketPath));
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the process pool's socket", e);
    }
    Thread acceptor = new Thread(this::acceptWorkers, "weft-pool-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    synchronized (lock) {
      for (int slot = 0; slot < slots.length; slot++) {
        startWorker(slot);
      }
    }
  }

  /** Unix socket paths are limited to about 100 bytes: prefer /tmp over a long java.io.tmpdir. */
  private static Path shortTempRoot() {
    Path tmp = Path.of("/tmp");
    return Files.isDirectory(tmp) && Files.isWritable(tmp) ? tmp : Path.of(System.getProperty("java.io.tmpdir"));
  }

  int size() {
    return slots.length;
  }

  /** Process ids of the workers, connected or starting, for diagnostics and tests. */
  List<Long> workerPids() {
    List<Long> pids = new ArrayList<>();
    synchronized (lock) {
      for (WorkerProcess worker : slots) {
        if (worker != null && !worker.isDead()) {
          pids.add(worker.process.pid());
        }
      }
      starting.values().forEach(worker -> pids.add(worker.process.pid()));
    }
    return pids;
  }

  /**
   * The functions the workers can run, as the first worker reported them; waits for it to start.
   *
   * @throws IllegalStateException if workers cannot start
   */
  FunctionCatalog functions() {
    try {
      if (!firstHello.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("no worker JVM said hello within " + START_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for worker JVMs to start", e);
    }
    FunctionCatalog known = catalog;
    if (known == null) {
      synchronized (lock) {
        throw new IllegalStateException(brokenReason != null ? brokenReason : "the process pool is closed");
      }
    }
    return known;
  }

  /** Queues a run; its outcome goes to {@code completions}. Never waits for a worker. */
  void submit(TaskRun run, CompletionQueue completions) {
    Assignment assignment = new Assignment(taskIds.incrementAndGet(), run, completions);
    try {
      long bytes = assignment.encode(values);
      if (bytes > config.maxFrameBytes()) {
        throw new IllegalArgumentException("its arguments are " + bytes + " bytes encoded, over the "
            + ProcessPoolOptions.MAX_FRAME_BYTES + " of " + config.maxFrameBytes());
      }
    } catch (IllegalArgumentException | IllegalStateException unsendable) {
      fail(assignment, new IllegalArgumentException("task '" + run.key + "' cannot be sent to a worker: "
          + unsendable.getMessage()), null);
      return;
    }
    String refusal;
    synchronized (lock) {
      refusal = closed ? "the process pool is closed" : brokenReason;
      if (refusal == null) {
        pending.add(assignment);
      }
    }
    if (refusal != null) {
      fail(assignment, new IllegalStateException(refusal), refusal);
      return;
    }
    dispatch();
  }

  /**
   * Stops cancelled runs that workers already have. A worker running one is given {@link #CANCEL_GRACE_MILLIS} to
   * finish it, then stopped and replaced: the pool has no way into a running task, and a compute after the cancelled
   * one must not wait behind its tasks. Runs queued behind a task that is not cancelled die with their worker or are
   * skipped when their turn comes; the check repeats until no worker holds a cancelled run.
   */
  void stopCancelled() {
    CompletableFuture.delayedExecutor(CANCEL_GRACE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
      boolean more = false;
      synchronized (lock) {
        if (closed) {
          return;
        }
        for (WorkerProcess worker : slots) {
          if (worker == null || worker.isDead()) {
            continue;
          }
          Assignment running = worker.running();
          if (running != null && running.run.isCancelled()) {
            // Under the lock: no reply is taken meanwhile, so it is still this task the worker runs (or has just
            // answered, unread: then the answer is lost with the worker, as the compute that wanted it is over).
            LOG.info("stopping {}: it still runs task '{}' of a compute that was cancelled", worker, running.run.key);
            worker.process.destroyForcibly(); // its end requeues what it had, and a new worker takes its place
          } else if (worker.holdsCancelled()) {
            more = true;
          }
        }
      }
      if (more) {
        stopCancelled();
      }
    });
  }

  /** Hands pending runs to workers that can take them now, in order, then writes them outside the lock. */
  private void dispatch() {
    List<WorkerProcess> toFlush = new ArrayList<>(2);
    synchronized (lock) {
      int depth = (int) Math.max(1, Math.min(MAX_DEPTH, TARGET_QUEUED_NANOS / Math.max(1.0, meanTaskNanos)));
      while (!pending.isEmpty()) {
        Assignment next = pending.peek();
        if (next.run.isCancelled()) {
          pending.poll();
          continue;
        }
        WorkerProcess worker = workerFor(next.frameBytes(), depth);
        if (worker == null) {
          break; // the next task waits for a worker, and everything after it keeps its place in the order
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

  /** The least busy worker that can take a frame of this size without a write to it waiting. */
  private WorkerProcess workerFor(long frameBytes, int depth) {
    WorkerProcess best = null;
    for (WorkerProcess worker : slots) {
      if (worker == null || !worker.isReady()) {
        continue;
      }
      int queued = worker.outstandingCount();
      boolean fits = queued == 0 || (queued < depth && worker.outstandingBytes() + frameBytes <= PIPELINE_BYTES);
      if (fits && (best == null || queued < best.outstandingCount())) {
        best = worker;
      }
    }
    return best;
  }

  /** Starts a worker JVM for {@code slot}; the caller holds the lock. */
  private void startWorker(int slot) {
    int id = nextWorkerId++;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(config.jvmOptions());
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(WorkerMain.class.getName());
    command.add(socketPath.toString());
    command.add(Integer.toString(id));
    command.add(Integer.toString(config.maxFrameBytes()));
    if (config.pluginDir() != null) {
      command.add(config.pluginDir().toString());
    }
    Process process;
    try {
      process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
    } catch (IOException e) {
      giveUp("cannot start a worker JVM with " + command.get(0) + ": " + e.getMessage());
      return;
    }
    WorkerProcess worker = new WorkerProcess(id, slot, process);
    String prefix = "[weft worker-" + id + "] ";
    worker.output.drain(process.getInputStream(), prefix, System.err, "weft-worker-" + id + "-stdout");
    worker.output.drain(process.getErrorStream(), prefix, System.err, "weft-worker-" + id + "-stderr");
    starting.put(id, worker);
    process.onExit().thenRun(() -> exited(worker));
    // A JVM that neither connects nor exits would leave the pool waiting: past the deadline it is stopped, and its
    // exit counts as a failed start.
    CompletableFuture.delayedExecutor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS).execute(() -> {
      synchronized (lock) {
        if (starting.get(id) != worker) {
          return;
        }
      }
      LOG.warn("worker JVM {} did not connect within {} s; stopping it", id, START_TIMEOUT_SECONDS);
      process.destroyForcibly();
    });
  }

  private void acceptWorkers() {
    while (true) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      FrameChannel frames = null;
      try {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 256 * 1024);
        frames = new FrameChannel(channel, config.maxFrameBytes());
        ByteBuffer first = frames.next(0, HELLO_TIMEOUT_MILLIS);
        Object hello = first == null ? null : WorkerProtocol.readFromWorker(new BinaryReader(first), values);
        if (!(hello instanceof WorkerProtocol.Hello)) {
          LOG.warn("a connection to the process pool did not start with a worker's hello; closed it");
          closeQuietly(frames); // its own selector too, not only the socket
          continue;
        }
        welcome((WorkerProtocol.Hello) hello, frames);
      } catch (IOException | RuntimeException e) {
        LOG.warn("a worker's connection failed before its hello: {}", e.toString());
        closeQuietly(frames != null ? frames : channel);
      }
    }
  }

  private void welcome(WorkerProtocol.Hello hello, FrameChannel frames) {
    WorkerProcess worker;
    synchronized (lock) {
      worker = starting.remove(hello.worker());
      if (worker == null || closed || worker.process.pid() != hello.pid()) {
        closeQuietly(frames);
        return;
      }
      worker.connected(frames);
      slots[worker.slot] = worker;
      startFailures = 0;
      if (catalog == null) {
        Map<String, Signature> signatures = new HashMap<>();
        for (int i = 0; i < hello.functions().size(); i++) {
          signatures.put(hello.functions().get(i), i < hello.signatures().size()
              ? Signature.parse(hello.signatures().get(i)) : Signature.ANY);
        }
        catalog = FunctionCatalog.remote(signatures, "worker modules: " + String.join(", ", hello.modules()));
      }
    }
    try {
      frames.channel().register(selector, SelectionKey.OP_READ, worker);
    } catch (IOException e) {
      LOG.warn("cannot watch {}'s connection: {}", worker, e.toString());
      worker.process.destroyForcibly();
    }
    selector.wakeup();
    firstHello.countDown();
    dispatch();
  }

  /**
   * Reads the replies that workers have sent and completes their runs, for a compute waiting on {@code waiter}. With
   * {@code block}, waits for replies if none are there: in the selector if no other compute is reading, parked
   * otherwise (until a reply for this compute arrives or the reader leaves).
   */
  void readReplies(PoolCompletionQueue waiter, boolean block) {
    if (closed) {
      // No reply will be read any more: close() fails every task the workers had, which wakes the compute it is for.
      if (block && waiter.isEmpty()) {
        LockSupport.parkNanos(this, FOLLOWER_PARK_NANOS);
      }
      return;
    }
    if (!tryLockFairly()) {
      if (block) {
        Thread self = Thread.currentThread();
        waiting.add(self);
        try {
          if (waiter.isEmpty() && replyReader.isLocked()) {
            LockSupport.parkNanos(this, FOLLOWER_PARK_NANOS);
          }
        } finally {
          waiting.remove(self);
        }
      } else {
        Thread.onSpinWait();
      }
      return;
    }
    List<WorkerProcess> ended = new ArrayList<>(1);
    try {
      reading = Thread.currentThread();
      if (!block) {
        // Spinning: one read call per worker costs less than asking the selector first.
        for (WorkerProcess worker : slots) {
          if (worker != null && worker.isReady() && !readFrom(worker, true)) {
            ended.add(worker);
          }
        }
      } else {
        if (waiter.isEmpty()) {
          selector.select();
        } else {
          selector.selectNow();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          WorkerProcess worker = (WorkerProcess) key.attachment();
          if (!readFrom(worker, false)) {
            ended.add(worker);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (ClosedSelectorException e) {
      // closed meanwhile: see above
    } catch (IOException e) {
      LOG.error("the process pool's selector failed", e);
    } finally {
      reading = null;
      releaseReplyReader();
    }
    for (WorkerProcess worker : ended) {
      died(worker);
    }
  }

  /**
   * Unlocks, and wakes every compute that waits: one of them reads for the others, the rest park again. Waking only one
   * could wake one whose result just came, which then returns, and leave the others with nobody reading.
   */
  private void releaseReplyReader() {
    replyReader.unlock();
    waiting.forEach(LockSupport::unpark);
  }

  private boolean tryLockFairly() {
    try {
      return replyReader.tryLock(0, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Wakes the reading compute if it is {@code thread}, so that it sees a completion that did not come by socket. */
  void wakeIfReading(Thread thread) {
    if (reading == thread) {
      selector.wakeup();
    }
  }

  /**
   * Reads and completes what {@code worker} sent; false once its connection ended. Holds {@code replyReader}.
   *
   * @param once whether to make one read call at most
   */
  private boolean readFrom(WorkerProcess worker, boolean once) {
    List<ByteBuffer> frames;
    try {
      frames = once ? worker.channel().readOnceAvailable() : worker.channel().readAvailable();
    } catch (IOException e) {
      return false; // died() reads what is left and says how the worker ended
    }
    for (ByteBuffer frame : frames) {
      Object reply;
      try {
        reply = WorkerProtocol.readFromWorker(new BinaryReader(frame), values);
      } catch (RuntimeException e) {
        LOG.warn("{} sent what cannot be read ({}); stopping it", worker, e.toString());
        worker.process.destroyForcibly();
        return false;
      }
      complete(worker, reply);
    }
    return true;
  }

  private void complete(WorkerProcess worker, Object reply) {
    Assignment assignment;
    long taskId = reply instanceof WorkerProtocol.TaskDone ? ((WorkerProtocol.TaskDone) reply).id()
        : ((WorkerProtocol.TaskFailed) reply).id();
    synchronized (lock) {
      assignment = worker.answered(taskId);
      if (reply instanceof WorkerProtocol.TaskDone) {
        WorkerProtocol.TaskDone done = (WorkerProtocol.TaskDone) reply;
        meanTaskNanos = 0.9 * meanTaskNanos + 0.1 * Math.max(0, done.endNanos() - done.startNanos());
      }
    }
    if (assignment == null) {
      LOG.warn("{} answered task {}, which it was not running", worker, taskId);
      return;
    }
    if (reply instanceof WorkerProtocol.TaskDone) {
      WorkerProtocol.TaskDone done = (WorkerProtocol.TaskDone) reply;
      assignment.run.succeeded(done.value(), done.startNanos(), done.endNanos(), worker.name);
      assignment.completions.put(assignment.run);
    } else {
      WorkerProtocol.TaskFailed failed = (WorkerProtocol.TaskFailed) reply;
      fail(assignment, new RemoteTaskException(failed.type(), failed.message(), failed.stackTrace()), null);
    }
    dispatch();
  }

  /** The process ended; if it never said hello, that counts against starting workers at all. */
  private void exited(WorkerProcess worker) {
    synchronized (lock) {
      if (starting.remove(worker.id) == null) {
        if (!closed) {
          // A connected worker: bury it now, even if no compute is reading its socket.
          new Thread(() -> died(worker), "weft-pool-bury-" + worker.id).start();
        }
        return;
      }
      if (closed) {
        return;
      }
    }
    String how = "worker JVM " + worker.id + " ended before it said hello: " + exitDescription(worker);
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (++startFailures >= START_FAILURES_BEFORE_GIVING_UP) {
        giveUp(how);
        return;
      }
      LOG.warn("{}; starting another", how);
      startWorker(worker.slot);
    }
  }

  /** A connected worker is gone: fail its running task, requeue the ones queued behind it, replace it. */
  private void died(WorkerProcess worker) {
    // Replies it sent before it ended count: read them first, so that only the task it was running is blamed.
    selector.wakeup();
    replyReader.lock();
    try {
      drain(worker);
    } finally {
      releaseReplyReader();
    }
    List<Assignment> unanswered;
    boolean poolClosed;
    synchronized (lock) {
      if (worker.isDead()) {
        return;
      }
      unanswered = worker.die();
      if (slots[worker.slot] == worker) {
        slots[worker.slot] = null;
      }
      poolClosed = closed;
      if (!poolClosed) {
        for (int i = unanswered.size() - 1; i >= 1; i--) {
          pending.addFirst(unanswered.get(i));
        }
      }
    }
    worker.close();
    if (poolClosed) {
      for (Assignment assignment : unanswered) {
        fail(assignment, new IllegalStateException("the process pool was closed"), "the process pool was closed");
      }
      return;
    }
    String how = exitDescription(worker);
    if (!unanswered.isEmpty()) {
      String detail = worker + " died while running it: " + how;
      fail(unanswered.get(0), new WorkerDiedException(detail, exitCode(worker)), detail);
    }
    synchronized (lock) {
      if (!closed) {
        LOG.warn("{} died ({}){}; starting another", worker, how,
            unanswered.isEmpty() ? "" : " while running task '" + unanswered.get(0).run.key + "'");
        startWorker(worker.slot);
      }
    }
    dispatch();
  }

  private void drain(WorkerProcess worker) {
    FrameChannel frames = worker.channel();
    if (frames == null) {
      return;
    }
    try {
      while (true) {
        List<ByteBuffer> available = frames.readAvailable();
        if (available.isEmpty()) {
          return; // still open: the process ended but its socket has not closed yet; nothing more can come
        }
        for (ByteBuffer frame : available) {
          complete(worker, WorkerProtocol.readFromWorker(new BinaryReader(frame), values));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the end of the stream, or a torn last frame: what was whole has been completed
    }
  }

  private static int exitCode(WorkerProcess worker) {
    try {
      if (worker.process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        return worker.process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  /** How the process ended and what it printed last, for an error message. */
  private static String exitDescription(WorkerProcess worker) {
    int code = exitCode(worker);
    worker.output.awaitDrained(EXIT_WAIT_MILLIS);
    String last = worker.output.lastLines();
    String how;
    if (code < 0) {
      how = "its connection closed but the process has not exited";
    } else if (code > 128 && code < 128 + 65) {
      how = "killed by signal " + (code - 128) + signalName(code - 128);
    } else if (last.contains("OutOfMemoryError")) {
      how = "exit code " + code + ", out of memory (raise the workers' -Xmx with the processes.jvm.options option)";
    } else {
      how = "exit code " + code;
    }
    return last.isEmpty() ? how : how + "; its last output: " + last;
  }

  private static String signalName(int signal) {
    switch (signal) {
      case 9:
        return " (SIGKILL)";
      case 15:
        return " (SIGTERM)";
      case 6:
        return " (SIGABRT)";
      case 11:
        return " (SIGSEGV)";
      case 2:
        return " (SIGINT)";
      default:
        return "";
    }
  }

  /** Workers cannot be started: fail what waits and refuse what comes; the caller holds the lock. */
  private void giveUp(String reason) {
    brokenReason = "the process pool cannot start its workers: " + reason;
    LOG.error(brokenReason);
    List<Assignment> waiting = new ArrayList<>(pending);
    pending.clear();
    for (Assignment assignment : waiting) {
      fail(assignment, new IllegalStateException(brokenReason), brokenReason);
    }
    firstHello.countDown();
  }

  private static void fail(Assignment assignment, Throwable cause, String detail) {
    assignment.run.failed(cause, detail);
    assignment.completions.put(assignment.run);
  }

  /** Stops every worker (they exit when their connection closes) and removes the socket. */
  @Override
  public void close() {
    List<WorkerProcess> workers = new ArrayList<>();
    List<Assignment> waiting;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (WorkerProcess worker : slots) {
        if (worker != null) {
          workers.add(worker);
        }
      }
      // Workers still starting have no connection to close: stop them outright.
      starting.values().forEach(worker -> {
        worker.process.destroy();
        workers.add(worker);
      });
      waiting = new ArrayList<>(pending);
      pending.clear();
      // And what the workers were running or had queued: no reply will be read for those, and a compute that waits
      // for one must not wait forever.
      for (WorkerProcess worker : slots) {
        if (worker != null) {
          waiting.addAll(worker.die());
        }
      }
    }
    for (Assignment assignment : waiting) {
      fail(assignment, new IllegalStateException("the process pool was closed"), "the process pool was closed");
    }
    closeQuietly(server);
    for (WorkerProcess worker : workers) {
      worker.close();
    }
    selector.wakeup();
    for (WorkerProcess worker : workers) {
      try {
        if (!worker.process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          worker.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        worker.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    replyReader.lock();
    try {
      closeQuietly(selector);
    } finally {
      releaseReplyReader();
    }
    try {
      Files.deleteIfExists(socketPath);
      Files.deleteIfExists(socketDir);
    } catch (IOException e) {
      LOG.warn("could not remove the pool's socket folder {}: {}", socketDir, e.toString());
    }
    firstHello.countDown();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already broken; nothing to add
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "process pool of %d workers %s", slots.length, config.jvmOptions());
  }
}
