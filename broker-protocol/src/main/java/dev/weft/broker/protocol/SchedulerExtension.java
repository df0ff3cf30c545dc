package dev.weft.broker.protocol;

import dev.weft.broker.telemetry.HttpEndpoint;
import dev.weft.broker.telemetry.WeftMetrics;
import java.util.Map;

/**
 * A service that runs beside each scheduler service, in its JVM and with its settings: found through
 * {@link java.util.ServiceLoader}, so a module the scheduler does not depend on (stream jobs, the dashboard) runs in
 * every scheduler whose classpath holds it.
 *
 * <p>An extension runs on threads of its own; a failure of one of its parts is its own to report and recover from,
 * and never stops the scheduler's loop.
 */
public interface SchedulerExtension {
  /** A short name for logs, such as {@code "stream jobs"}. */
  String name();

  /**
   * What the scheduler shares with its extensions.
   *
   * @param http the scheduler's HTTP endpoint, where an extension may add pages; null when it serves none
   *     ({@code weft.http.port} is -1)
   * @param metrics the scheduler's meters, which its {@code /metrics} serves
   */
  record Context(HttpEndpoint http, WeftMetrics metrics) {}

  /**
   * Starts the extension.
   *
   * @param config the scheduler's settings, as it was given them
   * @return what the scheduler closes when it stops, before its own loop
   * @throws Exception when it cannot start; the scheduler then does not start either
   */
  AutoCloseable start(Map<String, ?> config) throws Exception;

  /** Starts the extension with what the scheduler shares; by default, {@link #start(Map)}. */
  default AutoCloseable start(Map<String, ?> config, Context context) throws Exception {
    return start(config);
  }
}
