package dev.weft.registry.embedded;

/**
 * A {@link SchemaStore} that could not read or write its log. The registry answers HTTP 500 with error code 50001, or
 * 50002 when {@link #timedOut()}.
 */
public class SchemaStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean timedOut;

  public SchemaStoreException(String message, boolean timedOut, Throwable cause) {
    super(message, cause);
    this.timedOut = timedOut;
  }

  public SchemaStoreException(String message, Throwable cause) {
    this(message, false, cause);
  }

  /** Whether the store gave up waiting rather than failing outright; the operation may have taken effect. */
  public boolean timedOut() {
    return timedOut;
  }
}
