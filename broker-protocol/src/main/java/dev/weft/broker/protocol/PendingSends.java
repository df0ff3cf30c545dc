package dev.weft.broker.protocol;

import java.time.Duration;

/**
 * Counts a producer's sends that Kafka has not answered yet, so that one can wait for them with a deadline:
 * {@code KafkaProducer.flush()} has none, and Weft's producers retry without end while Kafka is away. Call
 * {@link #sent()} before each send and {@link #answered()} once in its callback (or when the send threw).
 */
public final class PendingSends {
  private long pending;

  public synchronized void sent() {
    pending++;
  }

  public synchronized void answered() {
    if (--pending <= 0) {
      pending = 0;
      notifyAll();
    }
  }

  /** Waits until every send made so far has been answered; false if {@code timeout} passed first. */
  public synchronized boolean awaitAnswers(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pending > 0) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return false;
      }
      wait(Math.max(1, remaining / 1_000_000));
    }
    return true;
  }
}
