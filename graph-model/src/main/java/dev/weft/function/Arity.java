package dev.weft.function;

/** Argument-count checks with messages that name the function. */
public final class Arity {
  private Arity() {}

  public static void check(String function, Object[] args, int expected) {
    if (args.length != expected) {
      throw new IllegalArgumentException(
          function + " takes " + expected + " argument" + (expected == 1 ? "" : "s") + ", got " + args.length);
    }
  }

  public static void atLeast(String function, Object[] args, int minimum) {
    if (args.length < minimum) {
      throw new IllegalArgumentException(function + " takes at least " + minimum + " arguments, got " + args.length);
    }
  }
}
