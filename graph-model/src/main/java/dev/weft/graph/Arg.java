package dev.weft.graph;

import dev.weft.value.Values;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One argument of a task: a literal value, a reference to another task's result, or a list of arguments.
 *
 * <p>A list argument is how a task takes several results at once, as Dask's {@code (sum, ['a', 'b'])}: when the task
 * runs, the list becomes a {@link List} whose items are the literals and the referenced results.
 */
public sealed interface Arg permits Arg.Literal, Arg.Ref, Arg.ListArg {

  /** The result of the task named {@code key}. */
  static Ref ref(String key) {
    return new Ref(key);
  }

  /** Several references, for a list argument: {@code list(refs("a", "b"))}. */
  static List<Arg> refs(String... keys) {
    List<Arg> refs = new ArrayList<>(keys.length);
    for (String key : keys) {
      refs.add(new Ref(key));
    }
    return refs;
  }

  /** A list argument whose items are converted by {@link #of(Object)}. */
  static ListArg list(Object... items) {
    return (ListArg) of(List.of(items));
  }

  /** A literal, checked to be a Weft value. */
  static Literal literal(Object value) {
    return new Literal(Values.canonical(value, "literal"));
  }

  /**
   * Converts a builder argument: an {@link Arg} stays as it is, a {@link List} that holds an {@link Arg} at any depth
   * becomes a {@link ListArg}, anything else becomes a {@link Literal} (and must be a Weft value).
   */
  static Arg of(Object value) {
    if (value instanceof Arg) {
      return (Arg) value;
    }
    if (value instanceof List && holdsArg((List<?>) value)) {
      List<?> items = (List<?>) value;
      List<Arg> args = new ArrayList<>(items.size());
      for (Object item : items) {
        args.add(of(item));
      }
      return new ListArg(Collections.unmodifiableList(args));
    }
    return new Literal(Values.canonical(value, "argument"));
  }

  private static boolean holdsArg(List<?> items) {
    for (Object item : items) {
      if (item instanceof Arg || (item instanceof List && holdsArg((List<?>) item))) {
        return true;
      }
    }
    return false;
  }

  /** A literal value; see {@link Values} for the types. */
  record Literal(Object value) implements Arg {
    @Override
    public String toString() {
      return Values.describe(value);
    }
  }

  /** A reference to the result of the task with this key. */
  record Ref(String key) implements Arg {
    public Ref {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "ref(" + key + ")";
    }
  }

  /** A list whose items are arguments. */
  record ListArg(List<Arg> items) implements Arg {
    public ListArg {
      items = List.copyOf(items);
    }

    @Override
    public String toString() {
      return items.toString();
    }
  }
}
