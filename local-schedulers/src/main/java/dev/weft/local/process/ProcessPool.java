package dev.weft.local.process;

import dev.weft.function.FunctionCatalog;
import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskRun;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of worker JVMs on this machine, started once and reused by every compute that asks for the same pool. Each
 * worker runs one task at a time. The parts, each in a class of its own:
 * <ul>
 *   <li>{@link WorkerHandshake}: the private Unix socket workers connect to, and their hello;
 *   <li>{@link WorkerSupervisor}: a worker in every slot, replaced when it ends; gives up when new ones keep dying;
 *   <li>{@link Dispatcher}: which worker gets which task, and how much work a busy worker may be sent; a task that
 *       reads a value a worker keeps ({@link HeldValue}) goes to that worker;
 *   <li>{@link ReplyReader}: the computes that wait read the replies themselves, one leading at a time;
 *   <li>{@link WorkerBurial}: a dead worker's running task fails with how it died, the rest go to other workers.
 * </ul>
 *
 * <p>Locks, outermost first; a thread that holds one takes only those after it:
 * <ol>
 *   <li>{@link ReplyReader}'s {@code readingTurn}: held by the one thread that reads the workers' sockets (fair, so
 *       that a burial, which reads what the dead worker sent last, is not starved);
 *   <li>{@link #lock}, the pool's lock: the slots, the workers starting, whether the pool is closed or broken, the
 *       pending tasks and measured task duration, and each worker's outstanding tasks;
 *   <li>a worker's {@code writeLock}, then its {@code toWrite} queue ({@link WorkerProcess}): one writer of its socket.
 * </ol>
 * Frames are written after {@link #lock} is released, and no lock is held while a process is waited for. A process's
 * end is handled on {@link #exits}, the pool's own threads, never on the JDK's process-exit callback thread.
 */
final class ProcessPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessPool.class);
  private static final long EXIT_WAIT_MILLIS = 5_000;
  private static final long HELLO_TIMEOUT_MILLIS = 30_000;
  /** How long a worker may go on with a task of a cancelled compute before it is stopped. */
  static final long CANCEL_GRACE_MILLIS = 1_000;

  /** What makes two pools the same pool. */
  record Config(int workers, List<String> jvmOptions, Path pluginDir, int maxFrameBytes) {
    Config {
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  private final Config config;
  private final ValueCodec values = new ValueCodec();
  private final AtomicLong taskIds = new AtomicLong();
  private final Object lock = new Object();
  private final WorkerProcess[] slots;
  private final ExecutorService exits = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "weft-pool-exits");
    thread.setDaemon(true);
    return thread;
  });
  private final WorkerHandshake handshake;
  private final Dispatcher dispatcher;
  private final ReplyReader replies;
  private final WorkerSupervisor supervisor;
  private final WorkerBurial burial;
  /** Bytes of the frames written to and read from workers: what locality saves, for tests and diagnostics. */
  private final LongAdder bytesToWorkers = new LongAdder();
  private final LongAdder bytesFromWorkers = new LongAdder();

  ProcessPool(Config config) {
    this(config, command -> new ProcessBuilder(command).start());
  }

  ProcessPool(Config config, WorkerSupervisor.Launcher launcher) {
    this.config = config;
    this.slots = new WorkerProcess[config.workers()];
    handshake = new WorkerHandshake(config.maxFrameBytes(), HELLO_TIMEOUT_MILLIS, values,
        (hello, frames) -> supervisor().welcome(hello, frames, replies()));
    dispatcher = new Dispatcher(lock, slots, values, config.maxFrameBytes(), bytesToWorkers);
    replies = new ReplyReader(lock, slots, values, dispatcher, worker -> burial().bury(worker), bytesFromWorkers);
    supervisor = new WorkerSupervisor(lock, slots, config, handshake.socketPath(), launcher, exits, dispatcher,
        worker -> burial().bury(worker));
    burial = new WorkerBurial(lock, replies, dispatcher, supervisor);
    handshake.start();
    supervisor.startAll();
  }

  // The parts call each other back; these read the fields once the constructor has set them all.
  private WorkerSupervisor supervisor() {
    return supervisor;
  }

  private ReplyReader replies() {
    return replies;
  }

  private WorkerBurial burial() {
    return burial;
  }

  int size() {
    return slots.length;
  }

  /** Process ids of the workers, connected or starting, for diagnostics and tests. */
  List<Long> workerPids() {
    return supervisor.pids();
  }

  /**
   * The functions the workers can run, as the first worker reported them; waits for it to start.
   *
   * @throws IllegalStateException if workers cannot start
   */
  FunctionCatalog functions() {
    return supervisor.functions();
  }

  /** Queues a run whose result comes back whatever its size. */
  void submit(TaskRun run, CompletionQueue completions) {
    submit(run, completions, WorkerProtocol.KEEP_NOTHING);
  }

  /**
   * Queues a run; its outcome goes to {@code completions}. Never waits for a worker.
   *
   * @param keepAbove a result encoded over this many bytes stays in its worker and comes back as a {@link HeldValue}
   *     ({@link WorkerProtocol#KEEP_NOTHING}: never)
   */
  void submit(TaskRun run, CompletionQueue completions, long keepAbove) {
    Assignment assignment = new Assignment(taskIds.incrementAndGet(), run, completions, keepAbove);
    if (assignment.hasInputs()) {
      // Encoded once its worker is chosen: whether a kept argument travels depends on where it goes.
      enqueue(assignment);
      return;
    }
    try {
      long bytes = assignment.encode(values);
      if (bytes > config.maxFrameBytes()) {
        throw new IllegalArgumentException("its arguments are " + bytes + " bytes encoded, over the "
            + ProcessPoolOptions.MAX_FRAME_BYTES + " of " + config.maxFrameBytes());
      }
    } catch (IllegalArgumentException | IllegalStateException unsendable) {
      assignment.fail(new IllegalArgumentException("task '" + run.key + "' cannot be sent to a worker: "
          + unsendable.getMessage()), null);
      return;
    }
    enqueue(assignment);
  }

  private void enqueue(Assignment assignment) {
    String refusal;
    synchronized (lock) {
      refusal = supervisor.refusal();
      if (refusal == null) {
        dispatcher.enqueue(assignment);
      }
    }
    if (refusal != null) {
      assignment.fail(new IllegalStateException(refusal), refusal);
      return;
    }
    dispatcher.dispatch();
  }

  /**
   * Lets go of a value a worker keeps, which no task of its compute needs any more: the caller's copy, if it fetched
   * one, and the worker's, which is told to drop it. Nothing to do once the worker died.
   */
  void release(HeldValue value) {
    dispatcher.release(value);
  }

  /** Bytes of the frames written to workers so far, and read from them: a test's evidence of what travelled. */
  long[] traffic() {
    return new long[] {bytesToWorkers.sum(), bytesFromWorkers.sum()};
  }

  /** How many values the workers keep for computes now, as the pool counts them; for tests. */
  int keptValues() {
    synchronized (lock) {
      int kept = 0;
      for (WorkerProcess worker : slots) {
        if (worker != null && !worker.isDead()) {
          kept += worker.keptCount();
        }
      }
      return kept;
    }
  }

  /** How many workers said hello and are alive; for tests that need every worker up before a graph starts. */
  int readyWorkers() {
    synchronized (lock) {
      int ready = 0;
      for (WorkerProcess worker : slots) {
        if (worker != null && worker.isReady()) {
          ready++;
        }
      }
      return ready;
    }
  }

  /** Process ids of the workers that keep values now; for tests. */
  List<Long> holderPids() {
    synchronized (lock) {
      List<Long> pids = new ArrayList<>();
      for (WorkerProcess worker : slots) {
        if (worker != null && !worker.isDead() && worker.keptCount() > 0) {
          pids.add(worker.process.pid());
        }
      }
      return pids;
    }
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
        if (supervisor.isClosed()) {
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
            worker.process.destroyForcibly(); // its burial requeues what it had, and a new worker takes its place
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

  /** See {@link ReplyReader#read}. */
  void readReplies(PoolCompletionQueue waiter, boolean block) {
    replies.read(waiter, block);
  }

  /** Wakes the reading compute if it is {@code thread}, so that it sees a completion that did not come by socket. */
  void wakeIfReading(Thread thread) {
    replies.wakeIfReading(thread);
  }

  /** Stops every worker (they exit when their connection closes) and removes the socket. */
  @Override
  public void close() {
    List<WorkerProcess> workers;
    List<Assignment> abandoned;
    synchronized (lock) {
      if (supervisor.isClosed()) {
        return;
      }
      workers = supervisor.close();
      replies.stop();
      abandoned = dispatcher.removeAll();
      // And what the workers were running or had queued: no reply will be read for those, and a compute that waits
      // for one must not wait forever.
      for (WorkerProcess worker : slots) {
        if (worker != null) {
          abandoned.addAll(worker.die());
          abandoned.addAll(worker.abandonFetches());
        }
      }
    }
    for (Assignment assignment : abandoned) {
      assignment.fail(new IllegalStateException("the process pool was closed"), "the process pool was closed");
    }
    handshake.close();
    for (WorkerProcess worker : workers) {
      worker.close();
    }
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
    replies.close();
    exits.shutdown();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "process pool of %d workers %s", slots.length, config.jvmOptions());
  }
}
