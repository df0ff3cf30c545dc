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

  /**
   * A typed body was called with arguments of other types. The cast that failed is in the body's bridge method, so
   * the message names the function and the types it got; the original exception stays the cause.
   */
  public static IllegalArgumentException wrongTypes(String function, Object[] args, ClassCastException cause) {
    StringBuilder types = new StringBuilder();
    for (Object arg : args) {
      types.append(types.length() == 0 ? "" : ", ").append(arg == null ? "null" : arg.getClass().getSimpleName());
    }
    return new IllegalArgumentException(function + " got arguments of types (" + types + "): "
        + cause.getMessage(), cause);
  }
}
