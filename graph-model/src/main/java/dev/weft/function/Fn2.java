package dev.weft.function;

/**
 * A named function of two arguments, typed for the delayed API: {@code builder.call(ADD, x, 10L)}.
 *
 * <p>Made with the arguments' and result's classes, it declares its {@link Signature}, checked before a graph runs.
 *
 * @param <A> first argument type
 * @param <B> second argument type
 * @param <R> result type
 */
public final class Fn2<A, B, R> implements NamedFunction {
  /** The body of a two-argument function. */
  @FunctionalInterface
  public interface Body<A, B, R> {
    R apply(A a, B b) throws Exception;
  }

  private final String name;
  private final Signature signature;
  private final TaskFunction body;

  private Fn2(String name, Signature signature, TaskFunction body) {
    this.name = name;
    this.signature = signature;
    this.body = body;
  }

  /** A function that takes two arguments of any types: the body checks what it gets. */
  public static <A, B, R> Fn2<A, B, R> of(String name, Body<A, B, R> body) {
    return of(name, Signature.untyped(2), body);
  }

  /**
   * A function whose arguments and result are of the given classes (see {@link ValueType#ofClass}).
   *
   * @throws IllegalArgumentException if a class is not a Weft value type
   */
  public static <A, B, R> Fn2<A, B, R> of(String name, Class<A> first, Class<B> second, Class<R> result,
      Body<A, B, R> body) {
    return of(name, Signature.of(ValueType.ofClass(result), ValueType.ofClass(first), ValueType.ofClass(second)),
        body);
  }

  /** A function with a declared signature of two parameters, for bodies that take {@code Object}. */
  public static <A, B, R> Fn2<A, B, R> of(String name, Signature signature, Body<A, B, R> body) {
    FnN.requireArity(name, signature, 2);
    return new Fn2<>(name, signature, FnN.checked(name, signature, args -> {
      @SuppressWarnings("unchecked")
      A a = (A) args[0]; // unchecked: the signature checked it, or the body's own parameter type is checked in the call
      @SuppressWarnings("unchecked")
      B b = (B) args[1];
      return body.apply(a, b);
    }));
  }

  /** A typed handle on a function registered elsewhere. */
  public static <A, B, R> Fn2<A, B, R> named(String name) {
    return new Fn2<>(name, Signature.untyped(2), null);
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
}
