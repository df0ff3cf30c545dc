package dev.weft.broker.protocol;

import dev.weft.scheduler.ErrorText;
import dev.weft.scheduler.RemoteTaskException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * An exception a task threw, as text: its class name, message and stack trace, each cut to a bound.
 *
 * @param retriable false when running the task again would do the same harm (it took down the workers that ran it):
 *     the scheduler then fails it whatever retries it has left
 */
public record TaskError(String type, String message, String stackTrace, boolean retriable) {
  /** Texts are cut as {@link ErrorText} says, so that a failure always fits the records that carry it. */
  public TaskError {
    message = ErrorText.message(message);
    stackTrace = ErrorText.stackTrace(stackTrace);
  }

  /** An error a retry may mend. */
  public TaskError(String type, String message, String stackTrace) {
    this(type, message, stackTrace, true);
  }

  public static TaskError of(Throwable error) {
    return new TaskError(error.getClass().getName(), error.getMessage(), stackTrace(error));
  }

  /** An error no retry may follow: running the task again would do the same harm. */
  public static TaskError notRetriable(Throwable error) {
    return new TaskError(error.getClass().getName(), error.getMessage(), stackTrace(error), false);
  }

  private static String stackTrace(Throwable error) {
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }

  /** The error as an exception the client can throw as a cause; never an instance of the original class. */
  public RemoteTaskException toException() {
    return new RemoteTaskException(type, message, stackTrace);
  }

  /** "type: message" for messages. */
  public String describe() {
    return message == null ? type : type + ": " + message;
  }
}
