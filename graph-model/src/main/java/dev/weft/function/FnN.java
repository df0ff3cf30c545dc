package dev.weft.function;

/**
 * A named function of any number of arguments, for the delayed API: {@code builder.call(SUM, List.of(a, b, c))}.
 *
 * @param <R> result type
 */
public final class FnN<R> implements NamedFunction {
  private final String name;
  private final TaskFunction body;

  private FnN(String name, TaskFunction body) {
    this.name = name;
    this.body = body;
  }

  public static <R> FnN<R> of(String name, TaskFunction body) {
    return new FnN<>(name, body);
  }

  /** A typed handle on a function registered elsewhere. */
  public static <R> FnN<R> named(String name) {
    return new FnN<>(name, null);
  }

  @Override
  public String name() {
    return name;
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
