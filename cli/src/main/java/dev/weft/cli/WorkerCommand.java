package dev.weft.cli;

import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft worker}: a worker of the broker scheduler in the foreground; Ctrl-C stops it gracefully. */
@Command(name = "worker", description = "Run a broker worker until Ctrl-C (which lets its running tasks finish).")
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = "--pool", description = "The worker pool to serve (default: the default pool).")
  String pool;

  @Option(names = "--threads", description = "Tasks run at once (default: the number of processors).")
  Integer threads;

  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> config = connection.awaitReachableConfig();
    if (pool != null) {
      config.put(WorkerConfig.POOL, pool);
    }
    if (threads != null) {
      config.put(WorkerConfig.THREADS, threads.toString());
    }
    plugins.applyTo(config);
    Worker worker = Worker.start(config);
    System.err.println("weft worker " + worker.name() + " running; Ctrl-C stops it");
    Throwable failure = worker.runUntilShutdown();
    if (failure != null) {
      // Exit 1 so that a supervisor restarts it.
      System.err.println("weft worker " + worker.name() + " stopped: " + failure);
      return 1;
    }
    return 0;
  }
}
