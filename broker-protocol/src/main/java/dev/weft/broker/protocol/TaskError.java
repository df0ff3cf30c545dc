package dev.weft.broker.protocol;

import dev.weft.scheduler.RemoteTaskException;
import java.io.PrintWriter;
import java.io.StringWriter;

/** An exception a task threw, as text: its class name, message and stack trace. */
public record TaskError(String type, String message, String stackTrace) {
  public static TaskError of(Throwable error) {
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    return new TaskError(error.getClass().getName(), error.getMessage(), trace.toString());
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
