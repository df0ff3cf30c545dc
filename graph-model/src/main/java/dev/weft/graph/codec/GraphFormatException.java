package dev.weft.graph.codec;

/** A graph file that cannot be read: the message names the task and argument that is wrong. */
public class GraphFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public GraphFormatException(String message) {
    super(message);
  }

  public GraphFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
