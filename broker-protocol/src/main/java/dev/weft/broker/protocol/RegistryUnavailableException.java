package dev.weft.broker.protocol;

/**
 * The schema registry could not say what schema a record was written with: it did not answer, failed, or refused this
 * client. Not the record's fault: a loop that meets it keeps the record and tries again later, rather than put it
 * aside as undecodable.
 */
public final class RegistryUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
