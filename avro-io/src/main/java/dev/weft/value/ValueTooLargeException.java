package dev.weft.value;

/** A value whose encoding passed the limit of where it was going: refused as soon as it passed, not once whole. */
public class ValueTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final long limit;

  public ValueTooLargeException(long limit) {
    super("encoded, it is over " + limit + " bytes");
    this.limit = limit;
  }

  /** The limit it passed, in bytes. */
  public long limit() {
    return limit;
  }
}
