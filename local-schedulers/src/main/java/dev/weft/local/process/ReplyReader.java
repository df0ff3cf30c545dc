package dev.weft.local.process;

import dev.weft.scheduler.RemoteTaskException;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the workers' replies on the threads of the computes that wait for them: no thread of the pool's own sits
 * between a worker's answer and the compute that wants it.
 *
 * <p>Leader and followers: one waiting compute at a time holds {@link #readingTurn} and reads every worker's socket
 * (spinning on them at first, then blocking in the selector), completing the runs of every compute. The others park
 * until a reply for them arrives (their queue wakes them) or the leader leaves, and then one of them leads. A chain of
 * tiny tasks therefore costs no thread wake-up on the caller's side.
 *
 * <p>{@link #readingTurn} is taken before the pool's lock, never while holding it; a connection that ends is handed
 * to {@code ended} after the turn is released.
 */
final class ReplyReader {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyReader.class);
  /** A waiting compute looks again at least this often, whoever is meant to wake it. */
  private static final long FOLLOWER_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** How often a thread that needs the turn wakes the reading compute again; see {@link #takeTurnFromReader}. */
  private static final long TURN_RETRY_MILLIS = 10;

  private final Object lock;
  private final WorkerProcess[] slots;
  private final ValueCodec values;
  private final Dispatcher dispatcher;
  private final Consumer<WorkerProcess> ended;
  private final LongAdder bytesRead;
  private final Selector selector;
  /**
   * Whose turn it is to read (not a read lock: its holder reads for every waiting compute). Fair, and taken with a
   * timed tryLock that honours fairness, so that a burial waiting to read a dead worker's last replies is not starved.
   */
  private final ReentrantLock readingTurn = new ReentrantLock(true);
  private volatile Thread reading;
  private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  ReplyReader(Object lock, WorkerProcess[] slots, ValueCodec values, Dispatcher dispatcher,
      Consumer<WorkerProcess> ended) {
    this(lock, slots, values, dispatcher, ended, new LongAdder());
  }

  /** @param bytesRead counts the bytes of every frame read from a worker */
  ReplyReader(Object lock, WorkerProcess[] slots, ValueCodec values, Dispatcher dispatcher,
      Consumer<WorkerProcess> ended, LongAdder bytesRead) {
    this.bytesRead = bytesRead;
    this.lock = lock;
    this.slots = slots;
    this.values = values;
    this.dispatcher = dispatcher;
    this.ended = ended;
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the process pool's selector", e);
    }
  }

  /** Starts reading a worker that said hello; false if its connection cannot be watched. */
  boolean watch(WorkerProcess worker) {
    try {
      worker.channel().channel().register(selector, SelectionKey.OP_READ, worker);
    } catch (IOException e) {
      LOG.warn("cannot watch {}'s connection: {}", worker, e.toString());
      return false;
    } finally {
      selector.wakeup();
    }
    return true;
  }

  /**
   * Reads the replies that have come and completes their runs, for a compute waiting on {@code waiter}. With
   * {@code block}, waits if none came: in the selector if no other compute is reading, parked otherwise.
   */
  void read(PoolCompletionQueue waiter, boolean block) {
    if (stopped) {
      // No reply will be read any more; the pool failed every task the workers had, which wakes their computes.
      if (block && waiter.isEmpty()) {
        LockSupport.parkNanos(this, FOLLOWER_PARK_NANOS);
      }
      return;
    }
    if (!tryTakeTurn()) {
      if (block) {
        follow(waiter);
      } else {
        Thread.onSpinWait();
      }
      return;
    }
    List<WorkerProcess> gone = new ArrayList<>(1);
    try {
      reading = Thread.currentThread();
      if (!block) {
        // Spinning: one read call per worker costs less than asking the selector first.
        for (WorkerProcess worker : slots) {
          if (worker != null && worker.isReady() && !readFrom(worker, true)) {
            gone.add(worker);
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
            gone.add(worker);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (ClosedSelectorException e) {
      // the pool closed meanwhile: see above
    } catch (IOException e) {
      LOG.error("the process pool's selector failed", e);
    } finally {
      reading = null;
      endTurn();
    }
    gone.forEach(ended);
  }

  private void follow(PoolCompletionQueue waiter) {
    Thread self = Thread.currentThread();
    waiting.add(self);
    try {
      if (waiter.isEmpty() && readingTurn.isLocked()) {
        LockSupport.parkNanos(this, FOLLOWER_PARK_NANOS);
      }
    } finally {
      waiting.remove(self);
    }
  }

  private boolean tryTakeTurn() {
    try {
      return readingTurn.tryLock(0, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Wakes every compute that waits: one of them reads for the others, the rest park again. Waking only one could wake
   * one whose result just came, which then returns, and leave the others with nobody reading.
   */
  private void endTurn() {
    readingTurn.unlock();
    waiting.forEach(LockSupport::unpark);
  }

  /** Wakes the reading compute if it is {@code thread}, so that it sees a completion that did not come by socket. */
  void wakeIfReading(Thread thread) {
    if (reading == thread) {
      selector.wakeup();
    }
  }

  /** Reads and completes what {@code worker} sent; false once its connection ended. Holds the turn. */
  private boolean readFrom(WorkerProcess worker, boolean once) {
    List<ByteBuffer> frames;
    try {
      frames = once ? worker.channel().readOnceAvailable() : worker.channel().readAvailable();
    } catch (IOException e) {
      return false; // its burial reads what is left and says how the worker ended
    }
    for (ByteBuffer frame : frames) {
      bytesRead.add(frame.remaining());
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

  /**
   * Completes every whole reply a worker that ended sent before it ended, so that only the task it was running is
   * blamed. Waits for the turn, taking it from the reading compute.
   */
  void readLastReplies(WorkerProcess worker) {
    takeTurnFromReader();
    try {
      FrameChannel frames = worker.channel();
      while (frames != null) {
        List<ByteBuffer> available = frames.readAvailable();
        if (available.isEmpty()) {
          return; // the process ended but its socket has not closed yet; nothing more can come
        }
        for (ByteBuffer frame : available) {
          bytesRead.add(frame.remaining());
          complete(worker, WorkerProtocol.readFromWorker(new BinaryReader(frame), values));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the end of the stream, or a torn last frame: what was whole has been completed
    } finally {
      endTurn();
    }
  }

  /**
   * Waits for the turn, waking the reading compute until it lets go. Waking it once is not enough: it may take that
   * wake-up, let go and take the turn again before this thread queues for it, then block in the selector with nothing
   * left to wake it.
   */
  private void takeTurnFromReader() {
    boolean interrupted = false;
    while (true) {
      selector.wakeup();
      try {
        if (readingTurn.tryLock(TURN_RETRY_MILLIS, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void complete(WorkerProcess worker, Object reply) {
    if (reply instanceof WorkerProtocol.Fetched fetched) {
      completeFetch(worker, fetched);
      return;
    }
    Assignment assignment;
    HeldValue held = null;
    long taskId = reply instanceof WorkerProtocol.TaskDone done ? done.id()
        : reply instanceof WorkerProtocol.TaskHeld kept ? kept.id() : ((WorkerProtocol.TaskFailed) reply).id();
    synchronized (lock) {
      assignment = worker.answered(taskId);
      if (reply instanceof WorkerProtocol.TaskDone done) {
        dispatcher.measured(done.endNanos() - done.startNanos());
      } else if (reply instanceof WorkerProtocol.TaskHeld kept) {
        dispatcher.measured(kept.endNanos() - kept.startNanos());
        if (assignment != null) {
          held = new HeldValue(worker, taskId, kept.bytes(), assignment.run.key);
          worker.keeps(held);
        }
      }
    }
    if (assignment == null) {
      LOG.warn("{} answered task {}, which it was not running", worker, taskId);
      return;
    }
    if (reply instanceof WorkerProtocol.TaskDone done) {
      assignment.run.succeeded(done.value(), done.startNanos(), done.endNanos(), worker.name);
      assignment.completions.put(assignment.run);
    } else if (reply instanceof WorkerProtocol.TaskHeld kept) {
      // The compute holds the handle in place of the value, and releases it through the pool like a value.
      assignment.run.succeeded(held, kept.startNanos(), kept.endNanos(), worker.name);
      assignment.completions.put(assignment.run);
      if (assignment.run.isCancelled()) {
        // Its compute ended (failed or cancelled) and may have released what it kept before this came: drop it here.
        // A cancel after this check finds the run in its completion queue, whose values the compute's end releases.
        dispatcher.release(held);
      }
    } else {
      WorkerProtocol.TaskFailed failed = (WorkerProtocol.TaskFailed) reply;
      assignment.fail(new RemoteTaskException(failed.type(), failed.message(), failed.stackTrace()), null);
    }
    dispatcher.dispatch();
  }

  /** A value the caller asked for: kept here from now on, and the tasks that waited for it go back to the queue. */
  private void completeFetch(WorkerProcess worker, WorkerProtocol.Fetched fetched) {
    List<Assignment> waited;
    synchronized (lock) {
      HeldValue value = worker.fetched(fetched.handle());
      if (value == null) {
        LOG.warn("{} sent value {}, which it was not asked for", worker, fetched.handle());
        return;
      }
      if (fetched.error() != null) {
        waited = value.fetchFailed();
        waited.forEach(assignment -> assignment.arrived(value));
      } else {
        List<Assignment> ready = new ArrayList<>(2);
        for (Assignment assignment : value.fetched(fetched.value())) {
          if (assignment.arrived(value)) { // a run that waits for another value stays parked
            ready.add(assignment);
          }
        }
        dispatcher.requeueFirst(ready);
        waited = List.of();
      }
    }
    for (Assignment assignment : waited) {
      // The worker has no such value: a bug, never expected; the tasks that wanted it fail saying so.
      assignment.fail(new IllegalStateException(fetched.error()), fetched.error());
    }
    dispatcher.dispatch();
  }

  /** From now on, reads nothing: the pool is closing and fails what the workers had. */
  void stop() {
    stopped = true;
    selector.wakeup();
  }

  /** Closes the selector once the reading compute, if any, has left it. */
  void close() {
    stop();
    takeTurnFromReader();
    try {
      FrameChannel.closeQuietly(selector);
    } finally {
      endTurn();
    }
  }
}
