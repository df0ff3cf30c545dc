package dev.weft.broker.protocol;

/**
 * Results could not be read in time, though they may well be there: Kafka is away or slow. Not the task's fault, nor
 * the location's: the reader may try again.
 */
public final class ResultsUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ResultsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
