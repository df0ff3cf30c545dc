package dev.weft.local.process;

/**
 * The worker JVM that ran a task died while running it: the task exited the JVM, exhausted its heap, or the process was
 * killed. The message says which worker, how it ended (exit code or signal) and what it printed last.
 */
public class WorkerDiedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public WorkerDiedException(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** The process's exit code; 128 + n when signal n killed it. */
  public int exitCode() {
    return exitCode;
  }
}
