package dev.weft.worker;

/**
 * A task took down the workers that ran it (it exited their JVM, ran it out of memory, or got it killed), and is not
 * run again: its graph fails with this as the task's error, and the other graphs go on. Dask's {@code KilledWorker}.
 * See {@link WorkerConfig#MAX_TASK_DEATHS}.
 */
public final class KilledWorkerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KilledWorkerException(String message) {
    super(message);
  }
}
