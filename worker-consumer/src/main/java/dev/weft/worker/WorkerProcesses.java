package dev.weft.worker;

import dev.weft.broker.protocol.ServiceProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Workers in JVMs of their own on this machine, started from this JVM's classpath: for the one-machine mode and tests. */
public final class WorkerProcesses {
  private WorkerProcesses() {}

  /**
   * Starts {@link WorkerMain} with {@code settings} ({@link WorkerConfig} keys), its output going to {@code log}.
   *
   * @param jvmOptions options of the worker's JVM, such as {@code -Xmx512m}
   */
  public static Process start(Map<String, ?> settings, List<String> jvmOptions, Path log) throws IOException {
    return ServiceProcesses.start(WorkerMain.class, settings, jvmOptions, log);
  }

  /**
   * Stops workers gracefully (SIGTERM: each finishes its running tasks and leaves its group), and forcibly those still
   * running after {@code grace}.
   */
  public static void stop(List<Process> workers, Duration grace) {
    ServiceProcesses.stop(workers, grace);
  }
}
