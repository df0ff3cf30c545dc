package dev.weft.graph;

import dev.weft.function.Fn1;
import dev.weft.function.Fn2;
import dev.weft.function.FnN;
import dev.weft.function.NamedFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a graph from calls of named functions, in the style of {@code dask.delayed}:
 *
 * <pre>{@code
 * DelayedBuilder b = new DelayedBuilder();
 * Delayed<Number> x = b.call(INC, 1L);
 * Delayed<Number> y = b.call(INC, 2L);
 * Delayed<Object> total = b.call(ADD, x, y);
 * Graph graph = b.build(total);        // the same graph as the dict-like builder makes
 * }</pre>
 *
 * <p>The function's type gives the result's type. Each call adds one task whose key is the function name and a sequence number ({@code inc-0}, {@code inc-1},
 * {@code add-2}), so the same program builds the same graph every time; {@link #key(String)} names the next call's
 * task instead. Arguments may be values, {@link Delayed} results, or lists holding either.
 */
public final class DelayedBuilder {
  private final List<Task> tasks = new ArrayList<>();
  private int sequence;
  private String nextKey;

  /** Names the task of the next call {@code key} instead of a generated key. */
  public DelayedBuilder key(String key) {
    this.nextKey = Objects.requireNonNull(key, "key");
    return this;
  }

  /**
   * A call of a one-argument function; {@code a} is a value of type {@code A} or a {@link Delayed} of one (Java's
   * generics cannot say "either" without ambiguous overloads, so the argument is checked when the task runs).
   */
  public <A, R> Delayed<R> call(Fn1<A, R> function, Object a) {
    return add(function, a);
  }

  /** A call of a two-argument function; each argument is a value or a {@link Delayed} of one. */
  public <A, B, R> Delayed<R> call(Fn2<A, B, R> function, Object a, Object b) {
    return add(function, a, b);
  }

  /** A call of any arity; lists among the arguments may hold {@link Delayed} results. */
  public <R> Delayed<R> call(FnN<R> function, Object... args) {
    return add(function, args);
  }

  /** A call of a function known only by name. */
  public <R> Delayed<R> call(String function, Object... args) {
    return add(FnN.named(function), args);
  }

  private <R> Delayed<R> add(NamedFunction function, Object... args) {
    String key = nextKey != null ? nextKey : function.name() + "-" + sequence;
    nextKey = null;
    sequence++;
    Object[] converted = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      converted[i] = toArgument(args[i]);
    }
    tasks.add(Task.of(key, function.name(), converted));
    return new Delayed<>(this, key);
  }

  private Object toArgument(Object value) {
    if (value instanceof Delayed) {
      Delayed<?> delayed = (Delayed<?>) value;
      if (delayed.builderIs(this)) {
        return delayed.ref();
      }
      throw new IllegalArgumentException(delayed + " was made by another DelayedBuilder");
    }
    if (value instanceof List) {
      List<?> items = (List<?>) value;
      List<Object> converted = new ArrayList<>(items.size());
      for (Object item : items) {
        converted.add(toArgument(item));
      }
      return converted;
    }
    return value;
  }

  /** The graph of every call made so far, with {@code outputs} as its declared outputs. */
  public Graph build(Delayed<?>... outputs) {
    List<String> keys = new ArrayList<>(outputs.length);
    for (Delayed<?> output : outputs) {
      keys.add(output.key());
    }
    return Graph.of(null, tasks, keys);
  }
}
