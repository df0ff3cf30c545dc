package dev.weft.connectors.files;

/**
 * Thrown by a {@link LineScanner.LineHandler} for a line that is not what the file should hold; the scanner turns it
 * into an {@link IllegalArgumentException} that says where the line is, which the handler does not know.
 */
final class BadLineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param reason what is wrong with the line, without its place: {@code not JSON: Unexpected character ...} */
  BadLineException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
