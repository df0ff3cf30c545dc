package dev.weft.local;

import dev.weft.function.TaskContext;
import dev.weft.local.internal.PoolExecutor;
import dev.weft.local.internal.TaskExecutor;
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
 *
 * <p>A compute started inside a task (a nested compute) runs on a pool of its own, never on the pool or executor that
 * runs the task, so that nested computes always finish.
 */
public final class ThreadsScheduler extends LocalScheduler {
  public static final String NAME = "threads";

  private final Map<Integer, SpinningWorkerPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public ThreadsScheduler() {
    super(NAME);
  }

  @Override
  public boolean runsTasksInThisJvm() {
    return true;
  }

  @Override
  protected ExecutorLease executorFor(ComputeOptions options) {
    ExecutorService service = options.get(SchedulerOptions.EXECUTOR);
    int workers = workersFor(options);
    if (closed) {
      throw new IllegalStateException("the threads scheduler is closed");
    }
    if (TaskContext.current() != null) {
      // A compute started inside a task must not wait on the pool that runs the task: with every thread of it in such
      // a task, each waiting for tasks queued behind them, none would ever finish. As in Dask, it gets a pool of its
      // own (the caller's executor too could be the one that runs the task), for this compute only: tasks that nest
      // computes do not each keep a pool alive.
      SpinningWorkerPool nested = new SpinningWorkerPool(workers, Thread.currentThread().getName() + "-nested");
      PoolExecutor executor = new PoolExecutor(nested);
      return new ExecutorLease() {
        @Override
        public TaskExecutor executor() {
          return executor;
        }

        @Override
        public void close() {
          nested.close();
        }
      };
    }
    if (service != null) {
      return ExecutorLease.of(new PoolExecutor(service, workers));
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
