package dev.weft.worker;

import dev.weft.broker.protocol.ServiceProcesses;
import java.util.Map;

/**
 * Runs a worker until the process is told to stop (SIGTERM, Ctrl-C) or the process that started it ends, then stops
 * it gracefully. Arguments are {@code key=value} settings ({@link WorkerConfig}) or {@code @file} naming a properties
 * file ({@link ServiceProcesses#parseArguments}).
 */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, Object> config = ServiceProcesses.parseArguments(args);
    Worker worker = Worker.start(config);
    // Started by a Weft JVM (WorkerProcesses): should that one end without stopping us, we stop too, gracefully,
    // rather than outlive it.
    ServiceProcesses.stopWithParent("weft worker " + worker.name());
    System.out.println("weft worker " + worker.name() + " started");
    System.out.flush();
    Throwable failure = worker.runUntilShutdown();
    if (failure != null) {
      System.err.println("weft worker " + worker.name() + " stopped: " + failure);
      System.exit(1);
    }
  }
}
