package dev.weft.function;

/**
 * A named function of any number of arguments, for the delayed API: {@code builder.call(SUM, List.of(a, b, c))}.
 *
 * @param <R> result type
 */
public final class FnN<R> implements NamedFunction {
  private final String name;
  private final Signature signature;
  private final TaskFunction body;

  private FnN(String name, Signature signature, TaskFunction body) {
    this.name = name;
    this.signature = signature;
    this.body = body;
  }

  /** A function of any arguments: the body checks what it gets. */
  public static <R> FnN<R> of(String name, TaskFunction body) {
    return new FnN<>(name, Signature.ANY, body);
  }

  /** A function with a declared signature, variadic ({@link Signature#variadic}) or not. */
  public static <R> FnN<R> of(String name, Signature signature, TaskFunction body) {
    return new FnN<>(name, signature, checked(name, signature, body));
  }

  /** A typed handle on a function registered elsewhere. */
  public static <R> FnN<R> named(String name) {
    return new FnN<>(name, Signature.ANY, null);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Signature signature() {
    return signature;
  }

  @Override
  public TaskFunction body() {
    return body;
  }

  @Override
  public String toString() {
    return name;
  }

  static void requireArity(String name, Signature signature, int arity) {
    if (signature.arity() != arity) {
      throw new IllegalArgumentException("function '" + name + "' takes " + arity + " argument" + (arity == 1 ? "" : "s")
          + "; its signature " + signature + " says otherwise");
    }
  }

  /**
   * {@code body} behind the checks of {@code signature}: arguments checked and converted, the result checked, and a
   * {@link ClassCastException} of the body's own parameters (a cast the signature did not make) named for what it is.
   */
  static TaskFunction checked(String name, Signature signature, TaskFunction body) {
    boolean untyped = signature.isUntyped() && signature.result() == ValueType.ANY;
    int arity = signature.arity();
    return args -> {
      Object[] given = args;
      if (untyped) {
        if (arity != ANY_ARITY) {
          Arity.check(name, args, arity);
        }
      } else {
        given = signature.apply(name, args);
      }
      Object result;
      try {
        result = body.apply(given);
      } catch (ClassCastException e) {
        throw Arity.wrongTypes(name, given, e);
      }
      return untyped ? result : signature.checkResult(name, result);
    };
  }
}
