package dev.weft.broker.protocol;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;

/**
 * The thread of a Kafka poll loop, with the one shutdown rule every Weft service follows.
 *
 * <p>The thread calls {@link Body#turn()} until {@link #close} is called. A turn that fails because Kafka or the
 * schema registry is away, or the group is rebalancing or moved on without this member (its next poll rejoins), is
 * taken again after a back-off (said once per outage, by {@link QuietLog}): every step of a turn must be one that can
 * be taken again. Anything else stops the loop, as does {@link #fail} from another thread, and {@link #failure()} says
 * why. Either way {@link Body#finish()} runs last, on the loop's thread, which owns the clients:
 * it commits what it can and closes them.
 *
 * <p>{@link #close} does not call {@code consumer.wakeup()}: the loop sees the flag within one poll, and a wakeup
 * it did not consume would make the final commit throw. A turn must therefore poll with a short timeout.
 */
public final class PollLoop implements AutoCloseable {
  /** What the loop runs. */
  public interface Body {
    /** One turn: poll, handle, send. Called again and again on the loop's thread. */
    void turn() throws Exception;

    /** The last thing the loop's thread does, whether it was closed or failed: commit, then close the clients. */
    void finish();
  }

  private static final long BACKOFF_MILLIS = 500;
  private final Logger log;
  private final QuietLog quiet;
  private final Body body;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  public PollLoop(String threadName, Logger log, Body body) {
    this.log = log;
    this.quiet = new QuietLog(log);
    this.body = body;
    this.thread = new Thread(this::run, threadName);
  }

  /** Makes the thread a daemon, for a helper loop that must not keep the JVM alive; before {@link #start()}. */
  public PollLoop daemon() {
    thread.setDaemon(true);
    return this;
  }

  public PollLoop start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      while (running) {
        try {
          body.turn();
        } catch (RetriableException | RegistryUnavailableException | RebalanceInProgressException
            | CommitFailedException e) {
          quiet.log(e, thread.getName() + " waits for Kafka or the schema registry ({}); trying again");
          Thread.sleep(BACKOFF_MILLIS);
        }
      }
    } catch (Throwable t) {
      fail(t); // a wakeup by whoever failed the loop first keeps that failure, which is the one said
      log.error("{} stopped", thread.getName(), failure);
    } finally {
      body.finish();
    }
  }

  /**
   * Stops the loop for an error found by another thread of the body's (a task thread, a callback): the turn under way
   * ends, then {@link Body#finish()} runs. The first error given is the one {@link #failure()} reports.
   */
  public synchronized void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
    running = false;
  }

  /** Wakes the loop's thread if a turn parked it ({@code LockSupport.parkNanos}) to wait for work. */
  public void unpark() {
    LockSupport.unpark(thread);
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return failure;
  }

  /** Whether the thread runs: false once it stopped, by {@link #close} or on its own ({@link #failure()}). */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /** Waits until the loop stopped. */
  public void join() throws InterruptedException {
    thread.join();
  }

  public String name() {
    return thread.getName();
  }

  /** Asks the loop to stop and waits up to {@code timeout} for its {@link Body#finish()}. */
  public void close(Duration timeout) {
    running = false;
    if (Thread.currentThread() == thread) {
      return; // closed from a turn: the loop ends after it
    }
    try {
      thread.join(TimeUnit.MILLISECONDS.convert(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
