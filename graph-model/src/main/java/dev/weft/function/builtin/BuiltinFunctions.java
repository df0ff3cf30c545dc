package dev.weft.function.builtin;

import dev.weft.function.Fn1;
import dev.weft.function.Fn2;
import dev.weft.function.FnN;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.NamedFunction;
import dev.weft.function.Signature;
import dev.weft.function.TaskContext;
import dev.weft.function.ValueType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Weft's built-in functions: arithmetic, strings and collections, enough for examples, tests and benchmarks.
 *
 * <p>Each declares its {@link Signature} ({@code weft functions} lists them), so a graph that passes a string to
 * {@code inc} is refused before it runs; what a signature leaves open (an {@code add} of a number and a list) the body
 * refuses with a message naming the function. Integral arithmetic is on {@code long} (ints are widened) and fails on overflow rather than wrapping; as soon as
 * a float or double takes part, it is on {@code double}. Aggregates ({@code sum}, {@code max}, {@code min}) take
 * either one list argument, as in Dask's {@code (sum, ['a', 'b'])}, or several arguments.
 */
public final class BuiltinFunctions implements FunctionModule {
  private static final Signature NUMERIC_1 = Signature.of(ValueType.NUMBER, ValueType.NUMBER);
  private static final Signature NUMERIC_2 = Signature.of(ValueType.NUMBER, ValueType.NUMBER, ValueType.NUMBER);
  private static final Signature AGGREGATE = Signature.variadic(ValueType.ANY, ValueType.NUMBER);

  public static final Fn1<Object, Number> INC = Fn1.of("inc", NUMERIC_1, x -> (Number) add(x, 1L, "inc"));
  public static final Fn1<Object, Number> DEC = Fn1.of("dec", NUMERIC_1, x -> subtract(x, 1L, "dec"));
  public static final Fn1<Object, Number> NEG = Fn1.of("neg", NUMERIC_1, x -> subtract(0L, x, "neg"));
  /** Numbers, and also two strings or two lists (joined), as Python's {@code +}. */
  public static final Fn2<Object, Object, Object> ADD = Fn2.of("add", (a, b) -> add(a, b, "add"));
  public static final Fn2<Object, Object, Number> SUB = Fn2.of("sub", NUMERIC_2, (a, b) -> subtract(a, b, "sub"));
  public static final Fn2<Object, Object, Number> MUL = Fn2.of("mul", NUMERIC_2, (a, b) -> multiply(a, b));
  /** True division, as Python's {@code /}: by zero it fails (ZeroDivisionError there), it never makes infinity. */
  public static final Fn2<Object, Object, Double> DIV = Fn2.of("div",
      Signature.of(ValueType.DOUBLE, ValueType.NUMBER, ValueType.NUMBER),
      (a, b) -> number(a, "div").doubleValue() / divisor(b, "div").doubleValue());
  public static final Fn2<Object, Object, Long> FLOORDIV = Fn2.of("floordiv",
      Signature.of(ValueType.LONG, ValueType.LONG, ValueType.LONG),
      (a, b) -> Math.floorDiv(integral(a, "floordiv"), divisor(b, "floordiv").longValue()));
  /** Aggregates take one list, as Dask's {@code (sum, ['a', 'b'])}, or several numbers. */
  public static final FnN<Number> SUM = FnN.of("sum", AGGREGATE,
      args -> fold(items(args), "sum", BuiltinFunctions::sumOf));
  public static final FnN<Number> MAX = FnN.of("max", AGGREGATE,
      args -> fold(items(args), "max", BuiltinFunctions::maxOf));
  public static final FnN<Number> MIN = FnN.of("min", AGGREGATE,
      args -> fold(items(args), "min", BuiltinFunctions::minOf));
  public static final Fn1<Object, Object> IDENTITY = Fn1.of("identity", x -> x);
  public static final FnN<List<Object>> LIST = FnN.of("list", Signature.variadic(ValueType.ANY, ValueType.LIST),
      args -> new ArrayList<>(Arrays.asList(args)));
  public static final FnN<String> CONCAT = FnN.of("concat", Signature.variadic(ValueType.ANY, ValueType.STRING),
      BuiltinFunctions::concat);
  public static final Fn1<String, String> UPPER = Fn1.of("upper", String.class, String.class, String::toUpperCase);
  public static final Fn1<String, String> LOWER = Fn1.of("lower", String.class, String.class, String::toLowerCase);
  public static final Fn1<Object, Long> LENGTH = Fn1.of("length", Object.class, Long.class, BuiltinFunctions::length);
  public static final Fn1<Long, List> RANGE = Fn1.of("range", Long.class, List.class, BuiltinFunctions::range);
  public static final Fn1<Long, ByteBuffer> BYTES = Fn1.of("bytes", Long.class, ByteBuffer.class,
      BuiltinFunctions::zeroBytes);
  public static final Fn2<Object, Object, Object> GETITEM = Fn2.of("getitem", BuiltinFunctions::getItem);
  public static final Fn2<Long, Object, Object> SLEEP = Fn2.of("sleep", Long.class, Object.class, Object.class,
      (millis, value) -> {
        Thread.sleep(millis);
        return value;
      });

  private static final List<NamedFunction> ALL = List.of(INC, DEC, NEG, ADD, SUB, MUL, DIV, FLOORDIV, SUM, MAX, MIN,
      IDENTITY, LIST, CONCAT, UPPER, LOWER, LENGTH, RANGE, BYTES, GETITEM, SLEEP);

  @Override
  public String name() {
    return "builtins";
  }

  @Override
  public void register(FunctionRegistry registry) {
    for (NamedFunction function : ALL) {
      registry.register(function);
    }
  }

  private interface Fold {
    Object apply(Object accumulated, Object next);
  }

  private static List<?> items(Object[] args) {
    if (args.length == 1 && args[0] instanceof List) {
      return (List<?>) args[0];
    }
    return Arrays.asList(args);
  }

  private static Object fold(List<?> items, String function, Fold fold) {
    if (items.isEmpty()) {
      if (function.equals("sum")) {
        return 0L;
      }
      throw new IllegalArgumentException(function + " of an empty list");
    }
    Object accumulated = number(items.get(0), function);
    for (int i = 1; i < items.size(); i++) {
      accumulated = fold.apply(accumulated, number(items.get(i), function));
    }
    return accumulated;
  }

  private static Object sumOf(Object a, Object b) {
    return add(a, b, "sum");
  }

  private static Object maxOf(Object a, Object b) {
    return compare((Number) a, (Number) b) >= 0 ? a : b;
  }

  private static Object minOf(Object a, Object b) {
    return compare((Number) a, (Number) b) <= 0 ? a : b;
  }

  private static int compare(Number a, Number b) {
    if (isIntegral(a) && isIntegral(b)) {
      return Long.compare(a.longValue(), b.longValue());
    }
    return Double.compare(a.doubleValue(), b.doubleValue());
  }

  static Object add(Object a, Object b, String function) {
    if (a instanceof Long && b instanceof Long) {
      return Math.addExact((long) (Long) a, (long) (Long) b);
    }
    if (a instanceof String && b instanceof String) {
      return (String) a + b;
    }
    if (a instanceof List && b instanceof List) {
      List<Object> joined = new ArrayList<>((List<?>) a);
      joined.addAll((List<?>) b);
      return joined;
    }
    Number x = number(a, function);
    Number y = number(b, function);
    if (isIntegral(x) && isIntegral(y)) {
      return Math.addExact(x.longValue(), y.longValue());
    }
    return x.doubleValue() + y.doubleValue();
  }

  private static Number subtract(Object a, Object b, String function) {
    Number x = number(a, function);
    Number y = number(b, function);
    if (isIntegral(x) && isIntegral(y)) {
      return Math.subtractExact(x.longValue(), y.longValue());
    }
    return x.doubleValue() - y.doubleValue();
  }

  private static Number multiply(Object a, Object b) {
    Number x = number(a, "mul");
    Number y = number(b, "mul");
    if (isIntegral(x) && isIntegral(y)) {
      return Math.multiplyExact(x.longValue(), y.longValue());
    }
    return x.doubleValue() * y.doubleValue();
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  private static Number number(Object value, String function) {
    if (value instanceof Number) {
      return (Number) value;
    }
    throw new IllegalArgumentException(function + " needs numbers, got " + typeOf(value));
  }

  /**
   * A divisor that is not zero. Infinite and NaN values stay legal (they come from arithmetic on legal values, and
   * Avro carries them); division by zero is refused as Python and Dask refuse it.
   */
  private static Number divisor(Object value, String function) {
    Number n = function.equals("floordiv") ? (Number) integral(value, function) : number(value, function);
    if (n.doubleValue() == 0) {
      throw new ArithmeticException(function + ": division by zero");
    }
    return n;
  }

  private static long integral(Object value, String function) {
    Number n = number(value, function);
    if (!isIntegral(n)) {
      throw new IllegalArgumentException(function + " needs an integer, got " + typeOf(value));
    }
    return n.longValue();
  }

  private static String string(Object value, String function) {
    if (value instanceof CharSequence) {
      return value.toString();
    }
    throw new IllegalArgumentException(function + " needs a string, got " + typeOf(value));
  }

  private static String typeOf(Object value) {
    return ValueType.describe(value);
  }

  private static String concat(Object[] args) {
    StringBuilder text = new StringBuilder();
    for (Object item : items(args)) {
      text.append(string(item, "concat"));
    }
    return text.toString();
  }

  private static Long length(Object value) {
    if (value instanceof CharSequence) {
      return (long) ((CharSequence) value).length();
    }
    if (value instanceof ByteBuffer) {
      return (long) ((ByteBuffer) value).remaining();
    }
    if (value instanceof List) {
      return (long) ((List<?>) value).size();
    }
    if (value instanceof Map) {
      return (long) ((Map<?, ?>) value).size();
    }
    throw new IllegalArgumentException("length needs a string, bytes, list or map, got " + typeOf(value));
  }

  private static List<Long> range(long count) {
    if (count < 0 || count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("range needs 0 <= n < 2^31, got " + count);
    }
    // Two bytes encoded (branch and varint) and a boxed Long with its reference on the heap, at the least.
    TaskContext.refuseResultsLargerThanCarried("range(" + count + ")", 2 * count, 24 * count);
    List<Long> values = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      values.add(i);
    }
    return values;
  }

  private static ByteBuffer zeroBytes(long size) {
    if (size < 0 || size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("bytes needs 0 <= n < 2^31, got " + size);
    }
    TaskContext.refuseResultsLargerThanCarried("bytes(" + size + ")", size, size);
    return ByteBuffer.allocate((int) size);
  }

  private static Object getItem(Object collection, Object index) {
    if (collection instanceof List) {
      List<?> list = (List<?>) collection;
      long i = integral(index, "getitem");
      if (i < 0) {
        i += list.size();
      }
      if (i < 0 || i >= list.size()) {
        throw new IndexOutOfBoundsException("getitem: index " + index + " out of a list of " + list.size());
      }
      return list.get((int) i);
    }
    if (collection instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) collection;
      if (!map.containsKey(index)) {
        throw new IllegalArgumentException("getitem: no key " + index + " in the map");
      }
      return map.get(index);
    }
    throw new IllegalArgumentException("getitem needs a list or a map, got " + typeOf(collection));
  }
}
