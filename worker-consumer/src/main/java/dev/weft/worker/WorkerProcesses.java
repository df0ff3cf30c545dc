package dev.weft.worker;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Workers in JVMs of their own on this machine, started from this JVM's classpath: for the one-machine mode and tests. */
public final class WorkerProcesses {
  private WorkerProcesses() {}

  /**
   * Starts {@link WorkerMain} with {@code settings} ({@link WorkerConfig} keys), its output going to {@code log}.
   *
   * @param jvmOptions options of the worker's JVM, such as {@code -Xmx512m}
   */
  public static Process start(Map<String, ?> settings, List<String> jvmOptions, Path log) throws IOException {
    // Settings may hold credentials (sasl.jaas.config): they go in a file only this user can read, not on the command
    // line, which every local user can see.
    Path file = Files.createTempFile("weft-worker-", ".properties",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Properties properties = new Properties();
    settings.forEach((key, value) -> properties.setProperty(key, String.valueOf(value)));
    try (Writer writer = Files.newBufferedWriter(file)) {
      properties.store(writer, "settings of a Weft worker; it deletes this file once read");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
        WorkerMain.DELETE_SETTINGS_FILES, "@" + file));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    process.onExit().thenRun(() -> file.toFile().delete());
    return process;
  }

  /**
   * Stops workers gracefully (SIGTERM: each finishes its running tasks and leaves its group), and forcibly those still
   * running after {@code grace}.
   */
  public static void stop(List<Process> workers, Duration grace) {
    workers.forEach(Process::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Process worker : workers) {
      try {
        if (!worker.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          worker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        worker.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
