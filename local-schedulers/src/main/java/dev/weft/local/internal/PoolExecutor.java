package dev.weft.local.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs tasks on threads: Weft's own {@link SpinningWorkerPool}, or an {@link ExecutorService} the caller supplied
 * (which Weft never shuts down). When a compute fails, its runs in flight are cancelled: queued ones never start,
 * running ones are interrupted.
 */
public final class PoolExecutor implements TaskExecutor {
  /** Runs in flight per worker by default: enough that workers never wait for the loop. */
  static final int IN_FLIGHT_PER_WORKER = 32;

  private final SpinningWorkerPool pool;
  private final ExecutorService service;
  private final int workers;

  public PoolExecutor(SpinningWorkerPool pool) {
    this.pool = pool;
    this.service = null;
    this.workers = pool.size();
  }

  /** @param workers how many threads of {@code service} the compute may use, for the in-flight bound */
  public PoolExecutor(ExecutorService service, int workers) {
    this.pool = null;
    this.service = service;
    this.workers = workers;
  }

  @Override
  public void execute(TaskRun run, CompletionQueue completions) {
    Runnable body = () -> {
      if (run.invokeHere()) {
        completions.put(run);
      }
    };
    try {
      if (pool != null) {
        pool.submit(body);
      } else {
        service.execute(body);
      }
    } catch (RejectedExecutionException | IllegalStateException e) {
      run.failed(e, "the executor refused the task: " + e.getMessage());
      completions.put(run);
    }
  }

  @Override
  public CompletionQueue newCompletionQueue() {
    return new HandoffCompletionQueue();
  }

  @Override
  public int defaultMaxInFlight() {
    return workers * IN_FLIGHT_PER_WORKER;
  }

  @Override
  public void cancel(Iterable<TaskRun> running) {
    for (TaskRun run : running) {
      run.cancel();
    }
  }
}
