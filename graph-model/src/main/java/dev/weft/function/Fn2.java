package dev.weft.function;

/**
 * A named function of two arguments, typed for the delayed API: {@code builder.call(ADD, x, 10L)}.
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
  private final TaskFunction body;

  private Fn2(String name, TaskFunction body) {
    this.name = name;
    this.body = body;
  }

  public static <A, B, R> Fn2<A, B, R> of(String name, Body<A, B, R> body) {
    return new Fn2<>(name, args -> {
      Arity.check(name, args, 2);
      @SuppressWarnings("unchecked")
      A a = (A) args[0]; // unchecked: the body's own parameter types are checked when it is called
      @SuppressWarnings("unchecked")
      B b = (B) args[1];
      try {
        return body.apply(a, b);
      } catch (ClassCastException e) {
        throw Arity.wrongTypes(name, args, e);
      }
    });
  }

  /** A typed handle on a function registered elsewhere. */
  public static <A, B, R> Fn2<A, B, R> named(String name) {
    return new Fn2<>(name, null);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int arity() {
    return 2;
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
