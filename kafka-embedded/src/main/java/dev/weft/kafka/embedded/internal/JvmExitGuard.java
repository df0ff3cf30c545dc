package dev.weft.kafka.embedded.internal;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a broker that shares its JVM with other code from ending that JVM. On a fatal error Kafka calls
 * {@code Exit.halt}, which would end a test run or an application mid-flight; while a guarded broker runs, the call is
 * logged and reported to the running brokers instead. The procedures are Kafka's own again once none is left.
 */
public final class JvmExitGuard {
  private static final Logger LOG = LoggerFactory.getLogger(JvmExitGuard.class);
  private static final Set<Consumer<String>> LISTENERS = new CopyOnWriteArraySet<>();

  private JvmExitGuard() {}

  /** Starts reporting Kafka's exit and halt calls to {@code onFatalError} instead of ending the JVM. */
  public static synchronized void register(Consumer<String> onFatalError) {
    if (LISTENERS.isEmpty()) {
      Exit.setHaltProcedure((status, message) -> report("halt", status, message));
      Exit.setExitProcedure((status, message) -> report("exit", status, message));
    }
    LISTENERS.add(onFatalError);
  }

  /** Stops reporting to {@code onFatalError}; the last one to go gives the JVM's fate back to Kafka. */
  public static synchronized void unregister(Consumer<String> onFatalError) {
    if (LISTENERS.remove(onFatalError) && LISTENERS.isEmpty()) {
      Exit.resetHaltProcedure();
      Exit.resetExitProcedure();
    }
  }

  private static void report(String call, int status, String message) {
    String failure = "Kafka asked to " + call + " the JVM with status " + status + (message == null ? "" : ": "
        + message);
    LOG.error("{}; the JVM goes on, the embedded broker is failed and should be closed", failure);
    for (Consumer<String> listener : LISTENERS) {
      listener.accept(failure);
    }
  }
}
