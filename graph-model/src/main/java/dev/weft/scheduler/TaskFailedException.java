package dev.weft.scheduler;

/**
 * A task failed and stopped its compute. {@link #getCause()} is what the function threw: the original exception on the
 * in-process schedulers, a {@link RemoteTaskException} with the remote type, message and stack trace on the others.
 */
public class TaskFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;
  private final String function;

  public TaskFailedException(String key, String function, Throwable cause) {
    this(key, function, null, cause);
  }

  public TaskFailedException(String key, String function, String detail, Throwable cause) {
    super("task '" + key + "' (function " + function + ") failed: "
        + (detail != null ? detail : describe(cause)), cause);
    this.key = key;
    this.function = function;
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "no cause recorded";
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
}
