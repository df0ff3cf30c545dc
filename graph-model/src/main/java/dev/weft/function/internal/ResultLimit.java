package dev.weft.function.internal;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.TaskContext;
import dev.weft.value.ValueTooLargeException;

/**
 * The most bytes a task's result may take, encoded, where it is sent, and what sets that figure: every scheduler that
 * sends results refuses one over it in the same words, naming what to raise.
 */
public final class ResultLimit {
  private final long maxBytes;
  /** Where results go, for messages: a topic, or a frame to the caller. */
  private final String destination;
  /** What sets {@code maxBytes}, for messages: the setting to raise. */
  private final String source;

  private ResultLimit(long maxBytes, String destination, String source) {
    this.maxBytes = maxBytes;
    this.destination = destination;
    this.source = source;
  }

  /** The limit one setting gives, such as {@code processes.max.frame.bytes}. */
  public static ResultLimit ofSetting(String setting, long maxBytes, String destination) {
    return new ResultLimit(maxBytes, destination, setting + " is " + maxBytes);
  }

  /**
   * The limit of the topic results are written to.
   *
   * @param source what makes it so, as the settings that raise it
   */
  public static ResultLimit ofTopic(String topic, long maxBytes, String source) {
    return new ResultLimit(maxBytes, topic, source);
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The context that tasks sent under this limit run in: a function that can tell its result would be too large
   * refuses it before building it, naming the same setting.
   */
  public TaskContext context(String scheduler, FunctionCatalog functions) {
    return new TaskContext(scheduler, maxBytes, source, functions);
  }

  /**
   * Refuses an encoding that ended over the limit. The encoder's own bound refuses a value as it passes the limit;
   * this is the last check, of everything written around the value too.
   */
  void check(long encodedBytes) {
    if (encodedBytes > maxBytes) {
      throw new ValueTooLargeException(maxBytes);
    }
  }

  /** Why the result of {@code taskKey} cannot be sent: too large for this limit, or not a value at all. */
  IllegalArgumentException refusal(String taskKey, RuntimeException unsendable) {
    String why = unsendable instanceof ValueTooLargeException
        ? unsendable.getMessage() + ", the most " + destination + " takes (" + source + ")"
        : unsendable.getMessage();
    return new IllegalArgumentException("the result of task '" + taskKey + "' cannot be sent: " + why);
  }
}
