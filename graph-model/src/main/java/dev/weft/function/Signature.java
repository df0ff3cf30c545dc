package dev.weft.function;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a function takes and returns: {@code (long, string) -> string}, or {@code (number...) -> number} for any number
 * of arguments of one type.
 *
 * <p>A signature is checked twice. Before a graph runs, on every scheduler, a task that gives the function another
 * number of arguments, or an argument that cannot be of its parameter's type (a literal, or the result of a function
 * whose signature says otherwise), makes the graph invalid. When the task runs, each argument is checked and converted
 * ({@link ValueType#LONG}, {@link ValueType#DOUBLE}) before the body sees it, so a body never meets a
 * {@link ClassCastException} of its own parameters, and a result not of the declared type fails the task.
 *
 * <p>The text form ({@link #toString()}, {@link #parse(String)}) is how worker JVMs report their functions.
 */
public final class Signature {
  /** Any number of arguments of any type, any result: a function that declared nothing. */
  public static final Signature ANY = new Signature(List.of(), ValueType.ANY, ValueType.ANY);

  private final List<ValueType> parameters;
  private final ValueType rest; // the type of every argument of a variadic function; null for a fixed arity
  private final ValueType result;

  private Signature(List<ValueType> parameters, ValueType rest, ValueType result) {
    this.parameters = List.copyOf(parameters);
    this.rest = rest;
    this.result = Objects.requireNonNull(result, "result");
  }

  /** {@code (parameters) -> result}. */
  public static Signature of(ValueType result, ValueType... parameters) {
    return new Signature(Arrays.asList(parameters), null, result);
  }

  /** {@code (each...) -> result}: any number of arguments, each of type {@code each}. */
  public static Signature variadic(ValueType each, ValueType result) {
    return new Signature(List.of(), Objects.requireNonNull(each, "each"), result);
  }

  /** {@code arity} arguments of any type, or any number of them for {@link NamedFunction#ANY_ARITY}. */
  public static Signature untyped(int arity) {
    if (arity == NamedFunction.ANY_ARITY) {
      return ANY;
    }
    ValueType[] any = new ValueType[arity];
    Arrays.fill(any, ValueType.ANY);
    return of(ValueType.ANY, any);
  }

  /**
   * Reads the text form, {@code "(long, any) -> string"} or {@code "(number...) -> number"}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static Signature parse(String text) {
    int arrow = text.lastIndexOf("->");
    String head = arrow < 0 ? "" : text.substring(0, arrow).trim();
    if (!head.startsWith("(") || !head.endsWith(")")) {
      throw new IllegalArgumentException("not a signature: '" + text + "' (expected, say, '(long, string) -> string')");
    }
    ValueType result = ValueType.ofLabel(text.substring(arrow + 2).trim());
    String inside = head.substring(1, head.length() - 1).trim();
    if (inside.endsWith("...")) {
      return variadic(ValueType.ofLabel(inside.substring(0, inside.length() - 3).trim()), result);
    }
    List<ValueType> parameters = new ArrayList<>();
    if (!inside.isEmpty()) {
      for (String label : inside.split(",")) {
        parameters.add(ValueType.ofLabel(label.trim()));
      }
    }
    return new Signature(parameters, null, result);
  }

  /** How many arguments it takes, or {@link NamedFunction#ANY_ARITY}. */
  public int arity() {
    return rest != null ? NamedFunction.ANY_ARITY : parameters.size();
  }

  public ValueType result() {
    return result;
  }

  /** The type of argument {@code index} (from 0); the caller checks the arity first. */
  public ValueType parameter(int index) {
    return rest != null ? rest : parameters.get(index);
  }

  /** Whether it says nothing of types (only, perhaps, the arity): then no argument needs checking. */
  public boolean isUntyped() {
    return (rest == null || rest == ValueType.ANY) && !parameters.stream().anyMatch(type -> type != ValueType.ANY);
  }

  /**
   * The arguments as the body takes them: checked against the parameters, and converted.
   *
   * @throws IllegalArgumentException naming {@code function}, the argument and its value, for any that does not fit
   */
  public Object[] apply(String function, Object[] args) {
    if (rest == null) {
      Arity.check(function, args, parameters.size());
    }
    Object[] converted = args;
    for (int i = 0; i < args.length; i++) {
      ValueType type = parameter(i);
      if (!type.accepts(args[i])) {
        throw new IllegalArgumentException(function + ": argument " + (i + 1) + " must be " + type.phrase() + ", got "
            + ValueType.describe(args[i]) + " (signature " + this + ")");
      }
      Object value = type.convert(args[i]);
      if (value != args[i]) {
        converted = converted == args ? args.clone() : converted;
        converted[i] = value;
      }
    }
    return converted;
  }

  /**
   * Checks a body's result against {@link #result()}; null is a result of every type.
   *
   * @throws IllegalStateException naming {@code function} if the body returned a value of another type
   */
  public Object checkResult(String function, Object value) {
    if (value != null && !result.accepts(value)) {
      throw new IllegalStateException(function + " returned " + ValueType.describe(value) + ", but its signature "
          + this + " says " + result.phrase());
    }
    return result.convert(value);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Signature && ((Signature) other).parameters.equals(parameters)
        && Objects.equals(((Signature) other).rest, rest) && ((Signature) other).result == result;
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameters, rest, result);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("(");
    if (rest != null) {
      text.append(rest.label()).append("...");
    } else {
      for (int i = 0; i < parameters.size(); i++) {
        text.append(i == 0 ? "" : ", ").append(parameters.get(i).label());
      }
    }
    return text.append(") -> ").append(result.label()).toString();
  }
}
