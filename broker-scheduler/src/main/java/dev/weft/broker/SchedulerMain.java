package dev.weft.broker;

import dev.weft.broker.protocol.ServiceProcesses;
import java.util.Map;

/**
 * Runs a scheduler service until the process is told to stop (SIGTERM, Ctrl-C) or the process that started it ends,
 * then stops it gracefully; exits 1 if its loop stopped on its own, so that a supervisor restarts it. Arguments are
 * {@code key=value} settings ({@link SchedulerServiceConfig}) or {@code @file} naming a properties file
 * ({@link ServiceProcesses#parseArguments}).
 */
public final class SchedulerMain {
  private SchedulerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, Object> config = ServiceProcesses.parseArguments(args);
    SchedulerService scheduler = SchedulerService.start(config);
    String name = "weft scheduler " + new SchedulerServiceConfig(config).getString(SchedulerServiceConfig.NAME);
    ServiceProcesses.stopWithParent(name);
    System.out.println(name + " started");
    System.out.flush();
    Throwable failure = scheduler.runUntilShutdown();
    if (failure != null) {
      System.err.println(name + " stopped: " + failure);
      System.exit(1);
    }
  }
}
