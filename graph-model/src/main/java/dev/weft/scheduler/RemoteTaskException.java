package dev.weft.scheduler;

/**
 * An exception thrown by a task in another JVM, carried back as text: its class name, message and stack trace. It is
 * never rebuilt as the original class, since that would let a message choose a class to instantiate. Its texts are
 * cut as {@link ErrorText} says, as they were where they came from.
 */
public class RemoteTaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String remoteType;
  private final String remoteStackTrace;

  public RemoteTaskException(String remoteType, String message, String remoteStackTrace) {
    super(remoteType + (message == null ? "" : ": " + ErrorText.message(message)), null, false, false);
    this.remoteType = remoteType;
    this.remoteStackTrace = ErrorText.stackTrace(remoteStackTrace);
  }

  /** The class name of the exception as thrown. */
  public String remoteType() {
    return remoteType;
  }

  /** The stack trace as the remote JVM printed it. */
  public String remoteStackTrace() {
    return remoteStackTrace;
  }

  @Override
  public String toString() {
    return getMessage() + (remoteStackTrace == null ? "" : "\n  remote stack trace:\n" + remoteStackTrace.indent(4));
  }
}
