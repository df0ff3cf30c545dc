package dev.weft.kafka;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A point in time that a test waits for a condition until, never sleeping: each round of the loop blocks in a Kafka
 * call (a poll) instead. Generous, so that a slow CI machine still passes; it only bounds a hang.
 */
public final class Deadline {
  private final long endNanos;
  private final Duration timeout;

  private Deadline(Duration timeout) {
    this.timeout = timeout;
    this.endNanos = System.nanoTime() + timeout.toNanos();
  }

  /** A deadline {@code timeout} from now. */
  public static Deadline in(Duration timeout) {
    return new Deadline(timeout);
  }

  /** Fails the test with {@code what} if the deadline has passed. */
  public void check(Supplier<String> what) {
    if (System.nanoTime() - endNanos > 0) {
      fail("not within " + timeout.toSeconds() + " s: " + what.get());
    }
  }
}
