package dev.weft.kafka.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a child-process broker. Its parent talks to it through standard streams only:
 *
 * <ul>
 *   <li>arguments name the log folder, ports (0 for free ones), the start timeout and broker settings;</li>
 *   <li>once the broker serves clients, one line {@value #READY} {@code <port> <controllerPort>} on standard
 *       output;</li>
 *   <li>end of standard input (the parent closed it, or died) stops the broker cleanly and ends the process.</li>
 * </ul>
 *
 * <p>Unlike an in-process broker this one keeps Kafka's {@code Exit.halt} on fatal errors: ending this process is how
 * the parent learns of them.
 */
public final class BrokerProcessMain {
  /** The first word of the line that announces a started broker. */
  static final String READY = "WEFT-KAFKA-READY";

  private BrokerProcessMain() {}

  /** The arguments for a child that starts on {@code logDir} with these ports and settings. */
  static List<String> arguments(Path logDir, int port, int controllerPort, Duration startTimeout,
      Map<String, String> settings) {
    List<String> arguments = new ArrayList<>(List.of("--log-dir", logDir.toAbsolutePath().toString(),
        "--port", Integer.toString(port), "--controller-port", Integer.toString(controllerPort),
        "--start-timeout-ms", Long.toString(startTimeout.toMillis())));
    settings.forEach((key, value) -> arguments.addAll(List.of("--property", key + "=" + value)));
    return arguments;
  }

  /** Runs the broker until standard input ends; exits with 0 after a clean stop, 1 if it could not start. */
  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      // Before exiting: threads of a half-started broker would otherwise keep this process alive.
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String[] args) throws IOException {
    Path logDir = null;
    int port = 0;
    int controllerPort = 0;
    Duration startTimeout = Duration.ofMinutes(1);
    Map<String, String> settings = new LinkedHashMap<>();
    for (Iterator<String> it = List.of(args).iterator(); it.hasNext(); ) {
      String option = it.next();
      if (!it.hasNext()) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      String value = it.next();
      switch (option) {
        case "--log-dir" -> logDir = Path.of(value);
        case "--port" -> port = Integer.parseInt(value);
        case "--controller-port" -> controllerPort = Integer.parseInt(value);
        case "--start-timeout-ms" -> startTimeout = Duration.ofMillis(Long.parseLong(value));
        case "--property" -> {
          int equals = value.indexOf('=');
          if (equals < 1) {
            throw new IllegalArgumentException("--property needs key=value, got '" + value + "'");
          }
          settings.put(value.substring(0, equals), value.substring(equals + 1));
        }
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (logDir == null) {
      throw new IllegalArgumentException("--log-dir is required");
    }

    InProcessBroker broker = InProcessBroker.start(logDir, port, controllerPort, settings, startTimeout);
    System.out.println(READY + " " + broker.port() + " " + broker.controllerPort());
    System.out.flush();
    awaitEndOfInput(System.in);
    broker.stop();
  }

  private static void awaitEndOfInput(InputStream in) throws IOException {
    byte[] ignored = new byte[256];
    while (in.read(ignored) != -1) {
      // The parent never writes; reading only notices when the stream closes.
    }
  }
}
