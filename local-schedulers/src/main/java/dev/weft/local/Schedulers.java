package dev.weft.local;

import dev.weft.scheduler.ComputeOptions;
import java.util.concurrent.ExecutorService;

/**
 * Shorthands for the options that select a local scheduler:
 *
 * <pre>{@code
 * Weft.compute(graph, Schedulers.sync());
 * Weft.compute(graph, Schedulers.threads(4));
 * Weft.compute(graph, Schedulers.threads(myExecutor));
 * Weft.compute(graph, Schedulers.processes(4));
 * }</pre>
 */
public final class Schedulers {
  private Schedulers() {}

  public static ComputeOptions sync() {
    return ComputeOptions.scheduler(SyncScheduler.NAME);
  }

  public static ComputeOptions threads() {
    return ComputeOptions.scheduler(ThreadsScheduler.NAME);
  }

  public static ComputeOptions threads(int workers) {
    return threads().numWorkers(workers);
  }

  /** A pool of worker JVMs, one per processor; see {@link dev.weft.local.process.ProcessesScheduler}. */
  public static ComputeOptions processes() {
    return ComputeOptions.scheduler(dev.weft.local.process.ProcessesScheduler.NAME);
  }

  public static ComputeOptions processes(int workers) {
    return processes().numWorkers(workers);
  }

  /** Threads of a caller-supplied executor, which Weft never shuts down. */
  public static ComputeOptions threads(ExecutorService executor) {
    return threads().executor(executor);
  }
}
