package dev.weft.scheduler;

/**
 * A task failed and stopped its compute. {@link #getCause()} is what the function threw: the original exception on the
 * in-process schedulers, a {@link RemoteTaskException} with the remote type, message and stack trace on the others.
 */
public class TaskFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;
  private final String function;
  private final int attempts;

  public TaskFailedException(String key, String function, Throwable cause) {
    this(key, function, 1, null, cause);
  }

  public TaskFailedException(String key, String function, String detail, Throwable cause) {
    this(key, function, 1, detail, cause);
  }

  /**
   * @param attempts how many times the task ran (1 without retries; 0 when not known)
   * @param detail what went wrong, when the cause alone does not say it; null to describe the cause
   */
  public TaskFailedException(String key, String function, int attempts, String detail, Throwable cause) {
    super(describe(key, function, attempts, detail != null ? detail : describe(cause)), cause);
    this.key = key;
    this.function = function;
    this.attempts = attempts;
  }

  /**
   * The wording of every task failure, on every scheduler: {@code task 'k' (function f) failed: <detail>}, then
   * {@code (after N attempts)} when it ran more than once.
   */
  public static String describe(String key, String function, int attempts, String detail) {
    return "task '" + key + "' (function " + function + ") failed: " + detail
        + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "no cause recorded";
    }
    if (cause instanceof RemoteTaskException) {
      return cause.getMessage(); // already "remote type: message"
    }
    return cause.getMessage() == null ? cause.getClass().getName() : cause.getClass().getName() + ": "
        + cause.getMessage();
  }

  /** The key of the task that failed. */
  public String key() {
    return key;
  }

  /** The function it ran. */
  public String function() {
    return function;
  }

  /** How many times the task ran before the compute gave up: 1 without retries; 0 when the scheduler did not say. */
  public int attempts() {
    return attempts;
  }
}
