package dev.weft.broker.protocol;

import java.util.Map;

/**
 * A service that runs beside each scheduler service, in its JVM and with its settings: found through
 * {@link java.util.ServiceLoader}, so a module the scheduler does not depend on (stream jobs) runs in every scheduler
 * whose classpath holds it.
 *
 * <p>An extension runs on threads of its own; a failure of one of its parts is its own to report and recover from,
 * and never stops the scheduler's loop.
 */
public interface SchedulerExtension {
  /** A short name for logs, such as {@code "stream jobs"}. */
  String name();

  /**
   * Starts the extension.
   *
   * @param config the scheduler's settings, as it was given them
   * @return what the scheduler closes when it stops, before its own loop
   * @throws Exception when it cannot start; the scheduler then does not start either
   */
  AutoCloseable start(Map<String, ?> config) throws Exception;
}
