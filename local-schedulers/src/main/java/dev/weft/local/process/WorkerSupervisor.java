package dev.weft.local.process;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.Signature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker JVM in every slot: starts them, puts a worker that said hello in its slot, and starts another when
 * one ends. A worker that ends before its hello counts as a failed start; after a few in a row the pool gives up and
 * fails what waits, with the workers' last output, rather than start JVMs that die forever.
 *
 * <p>The slots, the workers starting, the failed starts and whether the pool is closed are guarded by the pool's
 * lock. A process's end is handled on {@code exits}, the pool's executor, never on the JDK's process-exit thread: its
 * diagnosis waits for the worker's output to drain, and that thread serves every process of this JVM.
 */
final class WorkerSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerSupervisor.class);
  private static final int START_FAILURES_BEFORE_GIVING_UP = 3;
  private static final long START_TIMEOUT_SECONDS = 120;

  /** Starts a worker JVM: {@link ProcessBuilder} but where tests stand in for the JVM. */
  interface Launcher {
    Process start(List<String> command) throws IOException;
  }

  private final Object lock;
  private final WorkerProcess[] slots;
  private final ProcessPool.Config config;
  private final Path socketPath;
  private final Launcher launcher;
  private final Executor exits;
  private final Dispatcher dispatcher;
  private final Consumer<WorkerProcess> connectedWorkerExited;

  private final Map<Integer, WorkerProcess> starting = new HashMap<>();
  private int nextWorkerId;
  private int startFailures;
  private String brokenReason;
  /** Written under the lock; read without it by computes that wait for replies. */
  private volatile boolean closed;
  private final CountDownLatch firstHello = new CountDownLatch(1);
  private volatile FunctionCatalog catalog;

  WorkerSupervisor(Object lock, WorkerProcess[] slots, ProcessPool.Config config, Path socketPath, Launcher launcher,
      Executor exits, Dispatcher dispatcher, Consumer<WorkerProcess> connectedWorkerExited) {
    this.lock = lock;
    this.slots = slots;
    this.config = config;
    this.socketPath = socketPath;
    this.launcher = launcher;
    this.exits = exits;
    this.dispatcher = dispatcher;
    this.connectedWorkerExited = connectedWorkerExited;
  }

  void startAll() {
    synchronized (lock) {
      for (int slot = 0; slot < slots.length; slot++) {
        start(slot);
      }
    }
  }

  /** Why a task cannot be submitted now, or null; the caller holds the pool's lock. */
  String refusal() {
    return closed ? "the process pool is closed" : brokenReason;
  }

  boolean isClosed() {
    return closed;
  }

  /** The functions the first worker reported; waits for its hello. */
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

  /** Process ids of the workers, connected or starting. */
  List<Long> pids() {
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

  /** Starts a worker JVM for {@code slot}; the caller holds the pool's lock. */
  private void start(int slot) {
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
      process = launcher.start(command);
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
    process.onExit().thenRunAsync(() -> exited(worker), exits);
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

  /** Puts a worker that said hello in its slot, if the pool started it and still wants it; else closes it. */
  void welcome(WorkerProtocol.Hello hello, FrameChannel frames, ReplyReader replies) {
    WorkerProcess worker;
    synchronized (lock) {
      worker = starting.remove(hello.worker());
      if (worker == null || closed || worker.process.pid() != hello.pid()) {
        FrameChannel.closeQuietly(frames);
        return;
      }
      worker.connected(frames);
      slots[worker.slot] = worker;
      startFailures = 0;
      if (catalog == null) {
        catalog = catalogOf(hello);
      }
    }
    if (!replies.watch(worker)) {
      worker.process.destroyForcibly();
    }
    firstHello.countDown();
    dispatcher.dispatch();
  }

  private static FunctionCatalog catalogOf(WorkerProtocol.Hello hello) {
    Map<String, Signature> signatures = new HashMap<>();
    for (int i = 0; i < hello.functions().size(); i++) {
      signatures.put(hello.functions().get(i), i < hello.signatures().size()
          ? Signature.parse(hello.signatures().get(i)) : Signature.ANY);
    }
    return FunctionCatalog.remote(signatures, "worker modules: " + String.join(", ", hello.modules()));
  }

  /** A worker's process ended; one that never said hello counts against starting workers at all. */
  private void exited(WorkerProcess worker) {
    boolean saidHello;
    synchronized (lock) {
      saidHello = starting.remove(worker.id) == null;
      if (closed) {
        return;
      }
    }
    if (saidHello) {
      connectedWorkerExited.accept(worker); // outside the lock: a burial reads the worker's last replies first
      return;
    }
    String how = "worker JVM " + worker.id + " ended before it said hello: " + WorkerBurial.describeExit(worker);
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (++startFailures >= START_FAILURES_BEFORE_GIVING_UP) {
        giveUp(how);
        return;
      }
      replace(worker, how);
    }
  }

  /** Takes a dead worker out of its slot; the caller holds the pool's lock. */
  void vacate(WorkerProcess worker) {
    if (slots[worker.slot] == worker) {
      slots[worker.slot] = null;
    }
  }

  /** Starts a worker in the slot of one that ended, unless the pool is closed. */
  void replace(WorkerProcess gone, String why) {
    synchronized (lock) {
      if (!closed) {
        LOG.warn("{}; starting another", why);
        start(gone.slot);
      }
    }
  }

  /** Workers cannot be started: fail what waits and refuse what comes; the caller holds the pool's lock. */
  private void giveUp(String reason) {
    brokenReason = "the process pool cannot start its workers: " + reason;
    LOG.error(brokenReason);
    for (Assignment assignment : dispatcher.removeAll()) {
      assignment.fail(new IllegalStateException(brokenReason), brokenReason);
    }
    firstHello.countDown();
  }

  /**
   * Marks the pool closed and returns every worker; those still starting, which have no connection to close, are
   * stopped outright. The caller holds the pool's lock.
   */
  List<WorkerProcess> close() {
    closed = true;
    List<WorkerProcess> workers = new ArrayList<>();
    for (WorkerProcess worker : slots) {
      if (worker != null) {
        workers.add(worker);
      }
    }
    starting.values().forEach(worker -> {
      worker.process.destroy();
      workers.add(worker);
    });
    firstHello.countDown();
    return workers;
  }
}
