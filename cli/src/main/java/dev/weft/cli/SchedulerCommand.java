package dev.weft.cli;

import dev.weft.broker.SchedulerService;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code weft scheduler}: a broker scheduler service in the foreground, until Ctrl-C. */
@Command(name = "scheduler", description = "Run a broker scheduler service until Ctrl-C.")
final class SchedulerCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> config = connection.awaitReachableConfig();
    plugins.applyTo(config);
    SchedulerService scheduler = SchedulerService.start(config);
    System.err.println("weft scheduler running; Ctrl-C stops it");
    // Until Ctrl-C, unless the loop stops on its own: then say why and exit 1, so a supervisor can restart it.
    Throwable failure = scheduler.runUntilShutdown();
    if (failure != null) {
      System.err.println("weft scheduler stopped: " + failure);
      return 1;
    }
    return 0;
  }
}
