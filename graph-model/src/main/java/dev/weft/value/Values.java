package dev.weft.value;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

/**
 * The Java types that stand for Weft values, and the conversions into them.
 *
 * <p>A value is {@code null}, a {@link Boolean}, {@link Integer}, {@link Long}, {@link Float}, {@link Double},
 * {@link String}, {@link ByteBuffer} (Avro bytes), a {@link List} of values, a {@link Map} from {@link String} to
 * values, or an Avro record ({@link IndexedRecord}) whose fields are Avro data of its schema. These are exactly the
 * branches of the {@code dev.weft.avro.Value} schema, so every value can cross a process or a Kafka topic.
 *
 * <p>The in-process schedulers (sync, threads) hand results from task to task by reference and do not restrict their
 * types; a graph whose tasks exchange other Java objects runs there but is refused, with the offending path, by any
 * scheduler that has to encode it.
 */
public final class Values {
  private Values() {}

  /**
   * Returns {@code value} in its canonical form: {@code byte[]} becomes a {@link ByteBuffer} wrapping the same array,
   * a {@link CharSequence} (such as Avro's {@link Utf8}) becomes a {@link String}, {@link Short} and {@link Byte}
   * become {@link Integer}, and lists and maps are converted element by element (copied only when an element
   * changes).
   *
   * @throws IllegalArgumentException naming the path of the first part that is not a value
   */
  public static Object canonical(Object value) {
    return canonical(value, "value");
  }

  /** As {@link #canonical(Object)}, naming the value by {@code path} in errors. */
  public static Object canonical(Object value, String path) {
    if (value == null
        || value instanceof String
        || value instanceof Long
        || value instanceof Integer
        || value instanceof Double
        || value instanceof Boolean
        || value instanceof Float
        || value instanceof ByteBuffer
        || value instanceof IndexedRecord) {
      return value;
    }
    if (value instanceof CharSequence) {
      return value.toString();
    }
    if (value instanceof byte[]) {
      return ByteBuffer.wrap((byte[]) value);
    }
    if (value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof List) {
      return canonicalList((List<?>) value, path);
    }
    if (value instanceof Map) {
      return canonicalMap((Map<?, ?>) value, path);
    }
    throw new IllegalArgumentException(
        path + " is a " + value.getClass().getName() + ", which is not a Weft value"
            + " (null, boolean, int, long, float, double, string, bytes, list, map with string keys, Avro record)");
  }

  private static List<?> canonicalList(List<?> list, String path) {
    List<Object> copy = null;
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      Object canonicalItem = canonical(item, path + "[" + i + "]");
      if (copy == null && canonicalItem != item) {
        copy = new ArrayList<>(list.subList(0, i));
      }
      if (copy != null) {
        copy.add(canonicalItem);
      }
    }
    return copy == null ? list : copy;
  }

  private static Map<String, ?> canonicalMap(Map<?, ?> map, String path) {
    Map<String, Object> copy = null;
    int index = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object key = entry.getKey();
      if (!(key instanceof CharSequence)) {
        throw new IllegalArgumentException(
            path + " is a map with a key of type " + (key == null ? "null" : key.getClass().getName())
                + "; Weft maps have string keys");
      }
      Object item = entry.getValue();
      Object canonicalItem = canonical(item, path + "[\"" + key + "\"]");
      if (copy == null && (canonicalItem != item || !(key instanceof String))) {
        copy = new LinkedHashMap<>();
        int copied = 0;
        for (Map.Entry<?, ?> earlier : map.entrySet()) {
          if (copied++ == index) {
            break;
          }
          copy.put(earlier.getKey().toString(), earlier.getValue());
        }
      }
      if (copy != null) {
        copy.put(key.toString(), canonicalItem);
      }
      index++;
    }
    @SuppressWarnings("unchecked")
    Map<String, ?> unchanged = (Map<String, ?>) map;
    return copy == null ? unchanged : copy;
  }

  /** A short description of a value for messages: its type and, for scalars, a bounded rendering. */
  public static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof ByteBuffer) {
      return "bytes[" + ((ByteBuffer) value).remaining() + "]";
    }
    if (value instanceof List) {
      return "list[" + ((List<?>) value).size() + "]";
    }
    if (value instanceof Map) {
      return "map[" + ((Map<?, ?>) value).size() + "]";
    }
    String text = String.valueOf(value);
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
