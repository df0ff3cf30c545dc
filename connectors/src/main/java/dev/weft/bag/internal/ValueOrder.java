package dev.weft.bag.internal;

import dev.weft.value.Values;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;

/**
 * The order of Weft values that sorting operations use, as Python orders Dask's items: numbers by value (an int and a
 * double compare as numbers), strings by their UTF-16 code units, booleans false first, byte strings and lists
 * element by element. Values of other kinds, or of two different kinds, cannot be ordered and say so.
 */
public final class ValueOrder implements Comparator<Object> {
  public static final ValueOrder INSTANCE = new ValueOrder();

  private ValueOrder() {}

  @Override
  public int compare(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      if (isIntegral(x) && isIntegral(y)) {
        return Long.compare(x.longValue(), y.longValue());
      }
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof ByteBuffer x && b instanceof ByteBuffer y) {
      return x.compareTo(y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      int common = Math.min(x.size(), y.size());
      for (int i = 0; i < common; i++) {
        int order = compare(x.get(i), y.get(i));
        if (order != 0) {
          return order;
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    throw new IllegalArgumentException("cannot order " + Values.describe(a) + " and " + Values.describe(b)
        + ": numbers, strings, booleans, bytes and lists of them can be ordered");
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }
}
