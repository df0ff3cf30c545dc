package dev.weft.local;

import dev.weft.local.internal.PoolExecutor;
import dev.weft.local.internal.SpinningWorkerPool;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.SchedulerOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Runs tasks on a pool of threads in this JVM: the default scheduler. Results pass between tasks by reference, so there
 * is no data transfer cost. The scheduler keeps one pool per size asked for ({@link SchedulerOptions#NUM_WORKERS},
 * default the number of processors) and reuses it across computes, or uses a caller-supplied
 * {@link SchedulerOptions#EXECUTOR}, which it never shuts down.
 */
public final class ThreadsScheduler extends LocalScheduler {
  public static final String NAME = "threads";

  private final Map<Integer, SpinningWorkerPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public ThreadsScheduler() {
    super(NAME);
  }

  @Override
  protected ExecutorLease executorFor(ComputeOptions options) {
    ExecutorService service = options.get(SchedulerOptions.EXECUTOR);
    int workers = workersFor(options);
    if (service != null) {
      return ExecutorLease.of(new PoolExecutor(service, workers));
    }
    if (closed) {
      throw new IllegalStateException("the threads scheduler is closed");
    }
    SpinningWorkerPool pool = pools.computeIfAbsent(workers, n -> new SpinningWorkerPool(n, "weft-threads-" + n));
    return ExecutorLease.of(new PoolExecutor(pool));
  }

  /** Stops the pools' threads once their queued tasks are done. */
  @Override
  public void close() {
    closed = true;
    pools.values().forEach(SpinningWorkerPool::close);
    pools.clear();
  }
}
