package dev.weft.function;

/**
 * A named function of one argument, typed for the delayed API: {@code builder.call(INC, x)}.
 *
 * <p>Made with the argument's and result's classes ({@code Fn1.of("greet", String.class, String.class, ...)}), it
 * declares its {@link Signature}: a graph that passes it a value of another type is refused before it runs.
 *
 * @param <A> argument type
 * @param <R> result type
 */
public final class Fn1<A, R> implements NamedFunction {
  /** The body of a one-argument function. */
  @FunctionalInterface
  public interface Body<A, R> {
    R apply(A a) throws Exception;
  }

  private final String name;
  private final Signature signature;
  private final TaskFunction body;

  private Fn1(String name, Signature signature, TaskFunction body) {
    this.name = name;
    this.signature = signature;
    this.body = body;
  }

  /** A function that takes one argument of any type: the body checks what it gets. */
  public static <A, R> Fn1<A, R> of(String name, Body<A, R> body) {
    return of(name, Signature.untyped(1), body);
  }

  /**
   * A function whose argument and result are of the given classes (see {@link ValueType#ofClass}).
   *
   * @throws IllegalArgumentException if a class is not a Weft value type
   */
  public static <A, R> Fn1<A, R> of(String name, Class<A> argument, Class<R> result, Body<A, R> body) {
    return of(name, Signature.of(ValueType.ofClass(result), ValueType.ofClass(argument)), body);
  }

  /** A function with a declared signature of one parameter, for bodies that take {@code Object}. */
  public static <A, R> Fn1<A, R> of(String name, Signature signature, Body<A, R> body) {
    FnN.requireArity(name, signature, 1);
    return new Fn1<>(name, signature, FnN.checked(name, signature, args -> {
      @SuppressWarnings("unchecked")
      A a = (A) args[0]; // unchecked: the signature checked it, or the body's own parameter type is checked in the call
      return body.apply(a);
    }));
  }

  /** A typed handle on a function registered elsewhere. */
  public static <A, R> Fn1<A, R> named(String name) {
    return new Fn1<>(name, Signature.untyped(1), null);
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
