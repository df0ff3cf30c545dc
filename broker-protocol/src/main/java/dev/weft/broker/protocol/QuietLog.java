package dev.weft.broker.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;

/**
 * Logs what a loop waits for once per kind of exception every ten seconds: an outage is one message, not thousands.
 * A rebalance is routine and said at INFO; anything else at WARN. One thread's: not thread-safe.
 */
public final class QuietLog {
  private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(10);
  private final Logger log;
  private final Map<Class<?>, Long> lastLogged = new HashMap<>();

  public QuietLog(Logger log) {
    this.log = log;
  }

  /** Logs {@code message}, whose one {@code {}} is filled with {@code e}, unless that kind was said just now. */
  public void log(Throwable e, String message) {
    long now = System.nanoTime();
    Long last = lastLogged.get(e.getClass());
    if (last != null && now - last <= QUIET_NANOS) {
      log.debug(message, e.toString());
      return;
    }
    lastLogged.put(e.getClass(), now);
    if (e instanceof RebalanceInProgressException || e instanceof CommitFailedException) {
      log.info(message, e.toString());
    } else {
      log.warn(message, e.toString());
    }
  }
}
