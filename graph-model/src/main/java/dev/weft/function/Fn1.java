package dev.weft.function;

/**
 * A named function of one argument, typed for the delayed API: {@code builder.call(INC, x)}.
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
  private final TaskFunction body;

  private Fn1(String name, TaskFunction body) {
    this.name = name;
    this.body = body;
  }

  public static <A, R> Fn1<A, R> of(String name, Body<A, R> body) {
    return new Fn1<>(name, args -> {
      Arity.check(name, args, 1);
      @SuppressWarnings("unchecked")
      A a = (A) args[0]; // unchecked: the body's own parameter types are checked when it is called
      try {
        return body.apply(a);
      } catch (ClassCastException e) {
        throw Arity.wrongTypes(name, args, e);
      }
    });
  }

  /** A typed handle on a function registered elsewhere. */
  public static <A, R> Fn1<A, R> named(String name) {
    return new Fn1<>(name, null);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int arity() {
    return 1;
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
