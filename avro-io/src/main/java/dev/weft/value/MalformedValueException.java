package dev.weft.value;

/** Bytes that are not a valid encoding: truncated, corrupt, over a limit, or of a schema that cannot be resolved. */
public class MalformedValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MalformedValueException(String message) {
    super(message);
  }

  public MalformedValueException(String message, Throwable cause) {
    super(message, cause);
  }
}
