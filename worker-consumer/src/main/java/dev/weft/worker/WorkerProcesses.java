package dev.weft.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName()));
    settings.forEach((key, value) -> command.add(key + "=" + value));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
