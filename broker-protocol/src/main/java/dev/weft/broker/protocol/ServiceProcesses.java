package dev.weft.broker.protocol;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Weft services (schedulers, workers) in JVMs of their own on this machine, started from this JVM's classpath: for the
 * one-machine mode and tests. A service's main class takes {@code key=value} settings and {@code @file} arguments
 * naming properties files ({@link #parseArguments}).
 */
public final class ServiceProcesses {
  /**
   * Before {@code @file} arguments: delete those files once read. Settings may hold credentials, and the process that
   * wrote them may die before it could delete them.
   */
  public static final String DELETE_SETTINGS_FILES = "--delete-settings-files";

  private ServiceProcesses() {}

  /**
   * Starts {@code mainClass} with {@code settings}, its output appended to {@code log}.
   *
   * @param jvmOptions options of the service's JVM, such as {@code -Xmx512m}
   */
  public static Process start(Class<?> mainClass, Map<String, ?> settings, List<String> jvmOptions, Path log)
      throws IOException {
    // Settings may hold credentials (sasl.jaas.config): they go in a file only this user can read, not on the command
    // line, which every local user can see.
    Path file = Files.createTempFile("weft-service-", ".properties",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties properties = new Properties();
    settings.forEach((key, value) -> properties.setProperty(key, String.valueOf(value)));
    try (Writer writer = Files.newBufferedWriter(file)) {
      properties.store(writer, "settings of a Weft service; it deletes this file once read");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName(), DELETE_SETTINGS_FILES,
        "@" + file));
    Process process;
    try {
      // Appended: a service started again by a supervisor adds to the log of the one before, which says why it ended.
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    process.onExit().thenRun(() -> file.toFile().delete());
    return process;
  }

  /**
   * Stops services gracefully (SIGTERM: each finishes its running work and leaves its group), and forcibly those still
   * running after {@code grace}.
   */
  public static void stop(List<Process> services, Duration grace) {
    services.forEach(Process::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Process service : services) {
      try {
        if (!service.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          service.destroyForcibly();
        }
      } catch (InterruptedException e) {
        service.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The settings of a service's command line: {@code key=value} arguments and {@code @file} properties files. */
  public static Map<String, Object> parseArguments(String[] args) throws IOException {
    Map<String, Object> config = new HashMap<>();
    boolean deleteFiles = false;
    for (String arg : args) {
      if (arg.equals(DELETE_SETTINGS_FILES)) {
        deleteFiles = true;
      } else if (arg.startsWith("@")) {
        Path path = Path.of(arg.substring(1));
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(path)) {
          file.load(reader);
        }
        if (deleteFiles) {
          Files.delete(path);
        }
        file.forEach((key, value) -> config.put((String) key, value));
      } else {
        int equals = arg.indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException("'" + arg + "' is not key=value or @file");
        }
        config.put(arg.substring(0, equals), arg.substring(equals + 1));
      }
    }
    return config;
  }

  /**
   * Makes this JVM stop, gracefully (shutdown hooks run), when the process that started it ends: a service started by
   * another Weft JVM must not outlive it.
   */
  public static void stopWithParent(String what) {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      System.err.println(what + ": the process that started it ended; stopping");
      System.exit(0);
    }));
  }
}
