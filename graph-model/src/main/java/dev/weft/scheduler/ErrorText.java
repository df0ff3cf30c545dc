package dev.weft.scheduler;

/**
 * How much of an exception's text travels to another JVM: a task's error goes into a Kafka record or a frame, whose
 * size is limited, and into logs and terminals. A message that prints a large argument (a wrong-type error on a list
 * of a million items) would otherwise make the failure itself undeliverable. As Dask's
 * {@code distributed.admin.max-error-length}, the text is cut, and the cut says so.
 */
public final class ErrorText {
  /** Characters of an error message that travel (Dask's default {@code max-error-length}). */
  public static final int MAX_MESSAGE_CHARS = 10_000;
  /** Characters of a stack trace that travel: deep stacks with causes stay whole. */
  public static final int MAX_STACK_TRACE_CHARS = 50_000;

  private ErrorText() {}

  /** {@code message} cut to {@link #MAX_MESSAGE_CHARS}; null stays null. */
  public static String message(String message) {
    return cut(message, MAX_MESSAGE_CHARS);
  }

  /** {@code stackTrace} cut to {@link #MAX_STACK_TRACE_CHARS}. */
  public static String stackTrace(String stackTrace) {
    return cut(stackTrace, MAX_STACK_TRACE_CHARS);
  }

  /**
   * {@code text} if it has at most {@code max} characters, else its start and a note of how long it was, together
   * {@code max} characters at most; cutting a cut text again leaves it as it is.
   */
  public static String cut(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    String note = " [... cut: " + text.length() + " characters in all]";
    int keep = Math.max(0, max - note.length());
    if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
      keep--; // never half a character
    }
    return text.substring(0, keep) + note;
  }
}
