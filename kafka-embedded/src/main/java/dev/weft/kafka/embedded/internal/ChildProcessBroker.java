package dev.weft.kafka.embedded.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker in a JVM of its own, started from this JVM's {@code java} and class path with {@link BrokerProcessMain}.
 * It can be killed like a crashing machine and started again on the same folder. Its standard error goes to this
 * JVM's, line by line; it stops by itself when this JVM ends, since its standard input then closes.
 */
public final class ChildProcessBroker {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcessBroker.class);

  /** How much of the child's error output a start failure quotes. */
  private static final int QUOTED_LINES = 40;

  /** How long a failed start waits for the last words of the child's error output. */
  private static final Duration PUMP_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  /** A clean stop takes a second or two; past this the child is killed. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** System properties that name the configuration file of a common SLF4J backend. */
  private static final Set<String> LOGGING_CONFIG_FILES = Set.of("logback.configurationFile",
      "log4j2.configurationFile", "log4j.configurationFile");

  private final Process process;
  private final int port;
  private final int controllerPort;

  private ChildProcessBroker(Process process, int port, int controllerPort) {
    this.process = process;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Starts a child JVM running a broker on {@code logDir} and returns once it serves clients.
   *
   * @param port the client port, or 0 for one the child picks
   * @param controllerPort the controller port, or 0 for one the child picks
   * @param jvmOptions options for the child's {@code java} command, such as {@code -Xmx512m}
   * @throws IllegalStateException if the child ends or is not ready within {@code startTimeout}; the message quotes
   *     the end of its error output
   */
  public static ChildProcessBroker start(Path logDir, int port, int controllerPort, Map<String, String> settings,
      List<String> jvmOptions, Duration startTimeout) {
    List<String> command = new ArrayList<>();
    command.add(javaCommand());
    command.addAll(loggingProperties());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerProcessMain.class.getName()));
    command.addAll(BrokerProcessMain.arguments(logDir, port, controllerPort, startTimeout, settings));
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a child JVM for the Kafka broker: " + command.get(0), e);
    }

    Deque<String> lastErrors = new ArrayDeque<>();
    CompletableFuture<int[]> ready = new CompletableFuture<>();
    Thread errorPump = pump(process.getErrorStream(), "stderr", line -> {
      synchronized (lastErrors) {
        if (lastErrors.size() == QUOTED_LINES) {
          lastErrors.removeFirst();
        }
        lastErrors.addLast(line);
      }
      System.err.println(line);
    });
    pump(process.getInputStream(), "stdout", line -> {
      if (!ready.isDone() && line.startsWith(BrokerProcessMain.READY + " ")) {
        String[] words = line.split(" ");
        ready.complete(new int[] {Integer.parseInt(words[1]), Integer.parseInt(words[2])});
      } else {
        System.out.println(line);
      }
    });
    process.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException(
        "its JVM exited with status " + process.exitValue() + " before the broker was ready")));

    try {
      int[] ports = ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return new ChildProcessBroker(process, ports[0], ports[1]);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      awaitExit(process, STOP_TIMEOUT);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String reason = e instanceof TimeoutException ? "not ready within " + startTimeout.toSeconds() + " s"
          : e instanceof ExecutionException ? e.getCause().getMessage() : "interrupted";
      String output = lastLines(errorPump, lastErrors);
      throw new IllegalStateException("the child-process Kafka broker on " + logDir + " did not start: " + reason
          + (output.isEmpty() ? "" : "; the end of its error output:" + System.lineSeparator() + output), e);
    }
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  /** The port of the KRaft controller listener. */
  public int controllerPort() {
    return controllerPort;
  }

  /** Completes when the child process ends, for whatever reason. */
  public CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** Stops the broker cleanly (the child sees its input end), or kills it if it is not gone within 30 s. */
  public void stop() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      LOG.warn("Cannot close the input of the child broker (pid {}); killing it", process.pid(), e);
    }
    if (!awaitExit(process, STOP_TIMEOUT)) {
      LOG.warn("The child broker (pid {}) did not stop within {} s; killing it", process.pid(),
          STOP_TIMEOUT.toSeconds());
      kill();
    }
  }

  /** Ends the child with SIGKILL, as a crash would: no clean shutdown. Returns once it is gone. */
  public void kill() {
    process.destroyForcibly();
    if (!awaitExit(process, STOP_TIMEOUT)) {
      throw new IllegalStateException("the child broker (pid " + process.pid() + ") survived SIGKILL for "
          + STOP_TIMEOUT.toSeconds() + " s");
    }
  }

  private static boolean awaitExit(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The {@code java} that runs this JVM, so the child has the same version and vendor. */
  private static String javaCommand() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** This JVM's logging configuration given as system properties, so that the child logs as this JVM does. */
  private static List<String> loggingProperties() {
    List<String> options = new ArrayList<>();
    System.getProperties().stringPropertyNames().stream().sorted()
        .filter(name -> name.startsWith("org.slf4j.simpleLogger.") || LOGGING_CONFIG_FILES.contains(name))
        .forEach(name -> options.add("-D" + name + "=" + System.getProperty(name)));
    return options;
  }

  /** The lines a dead child wrote last, once the pump has read them all (or after a few seconds, if it has not). */
  private static String lastLines(Thread pump, Deque<String> lines) {
    try {
      pump.join(PUMP_DRAIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lines) {
      return String.join(System.lineSeparator(), lines);
    }
  }

  private static Thread pump(InputStream stream, String name, Consumer<String> lines) {
    Thread pump = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines.accept(line);
        }
      } catch (IOException e) {
        // A killed child can leave a stream that fails instead of ending; what it had to say is said.
        LOG.debug("The {} of the child broker ended with an error", name, e);
      }
    }, "weft-kafka-child-" + name);
    pump.setDaemon(true);
    pump.start();
    return pump;
  }
}
