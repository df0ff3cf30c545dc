package dev.weft.function;

import dev.weft.scheduler.ErrorText;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;

/**
 * The type of a parameter or result in a function's {@link Signature}: a set of Weft values (see
 * {@link dev.weft.value.Values}).
 *
 * <p>Checks are gradual: a graph is refused before it runs only when an argument cannot be of the parameter's type
 * (a string literal for a {@code long}, the result of a function declared to return a {@code double}); an argument
 * that may be (the result of a function declared to return {@code any}) is checked when the task runs.
 */
public enum ValueType {
  /** Any value, null included: what an undeclared parameter or result is. */
  ANY(Kinds.ALL, Kinds.ALL),
  BOOLEAN(Kinds.BOOLEAN, Kinds.BOOLEAN),
  /** An integer: an {@code Integer} argument is widened to {@code Long}. */
  LONG(Kinds.INT | Kinds.LONG, Kinds.LONG),
  /** A floating-point number: any number argument is converted to {@code Double}, as Java widens. */
  DOUBLE(Kinds.NUMBERS, Kinds.DOUBLE),
  /** Any number, passed as it is: integers as {@code Integer} or {@code Long}, fractions as {@code Float} or {@code Double}. */
  NUMBER(Kinds.NUMBERS, Kinds.NUMBERS),
  STRING(Kinds.STRING, Kinds.STRING),
  /** Bytes, as a {@code ByteBuffer}. */
  BYTES(Kinds.BYTES, Kinds.BYTES),
  LIST(Kinds.LIST, Kinds.LIST),
  /** A map with string keys. */
  MAP(Kinds.MAP, Kinds.MAP),
  /** An Avro record. */
  RECORD(Kinds.RECORD, Kinds.RECORD);

  /** Runtime kinds of values as bits, so that "can this argument be of that type" is one AND. */
  private static final class Kinds {
    static final int NULL = 1;
    static final int BOOLEAN = 1 << 1;
    static final int INT = 1 << 2;
    static final int LONG = 1 << 3;
    static final int FLOAT = 1 << 4;
    static final int DOUBLE = 1 << 5;
    static final int STRING = 1 << 6;
    static final int BYTES = 1 << 7;
    static final int LIST = 1 << 8;
    static final int MAP = 1 << 9;
    static final int RECORD = 1 << 10;
    static final int NUMBERS = INT | LONG | FLOAT | DOUBLE;
    static final int ALL = (1 << 11) - 1;
  }

  private final int accepted;
  private final int produced;

  private static final Map<Class<?>, ValueType> BY_CLASS = Map.ofEntries(Map.entry(Object.class, ANY),
      Map.entry(Boolean.class, BOOLEAN), Map.entry(Long.class, LONG), Map.entry(Double.class, DOUBLE),
      Map.entry(Number.class, NUMBER), Map.entry(String.class, STRING), Map.entry(CharSequence.class, STRING),
      Map.entry(ByteBuffer.class, BYTES), Map.entry(List.class, LIST), Map.entry(Map.class, MAP),
      Map.entry(IndexedRecord.class, RECORD), Map.entry(GenericRecord.class, RECORD));

  ValueType(int accepted, int produced) {
    this.accepted = accepted;
    this.produced = produced;
  }

  /** The name in signatures: {@code "long"}, {@code "string"}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type named {@code label} in a signature. */
  public static ValueType ofLabel(String label) {
    for (ValueType type : values()) {
      if (type.label().equals(label)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown value type '" + label + "' (types: any, boolean, long, double, "
        + "number, string, bytes, list, map, record)");
  }

  /**
   * The type a parameter or result of Java type {@code type} has.
   *
   * @throws IllegalArgumentException for a class that is not a Weft value type, saying which to use
   */
  public static ValueType ofClass(Class<?> type) {
    ValueType declared = BY_CLASS.get(type);
    if (declared != null) {
      return declared;
    }
    String hint = type == Integer.class || type == Short.class || type == Byte.class ? "; integers are passed as Long"
        : type == Float.class ? "; fractions are passed as Double" : "";
    throw new IllegalArgumentException(type.getName() + " is not a type a function may declare (Object, Boolean, "
        + "Long, Double, Number, String, ByteBuffer, List, Map, IndexedRecord)" + hint);
  }

  /** Whether {@code value} is of this type, before any conversion. */
  public boolean accepts(Object value) {
    return this == ANY || (accepted & kindOf(value)) != 0;
  }

  /**
   * Whether a result declared of type {@code argument} may be a value of this type: false only when it certainly is
   * not (a {@code double} for a {@code long}), as a graph is refused only then.
   */
  public boolean mayAccept(ValueType argument) {
    return (accepted & argument.produced) != 0;
  }

  /** "a long", "an integer", "any value": for messages. */
  public String phrase() {
    return this == ANY ? "any value" : ("aeiou".indexOf(label().charAt(0)) >= 0 ? "an " : "a ") + label();
  }

  /** The value as this type passes it to a body: Integer to Long for {@link #LONG}, numbers to Double for {@link #DOUBLE}. */
  Object convert(Object value) {
    if (this == LONG && value instanceof Integer) {
      return ((Integer) value).longValue();
    }
    if (this == DOUBLE && value instanceof Number && !(value instanceof Double)) {
      return ((Number) value).doubleValue();
    }
    return value;
  }

  /** The kind bit of a value; a {@code CharSequence} counts as a string, as values are made canonical. */
  static int kindOf(Object value) {
    if (value == null) {
      return Kinds.NULL;
    }
    if (value instanceof Boolean) {
      return Kinds.BOOLEAN;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return Kinds.INT;
    }
    if (value instanceof Long) {
      return Kinds.LONG;
    }
    if (value instanceof Float) {
      return Kinds.FLOAT;
    }
    if (value instanceof Double) {
      return Kinds.DOUBLE;
    }
    if (value instanceof CharSequence) {
      return Kinds.STRING;
    }
    if (value instanceof ByteBuffer || value instanceof byte[]) {
      return Kinds.BYTES;
    }
    if (value instanceof List) {
      return Kinds.LIST;
    }
    if (value instanceof Map) {
      return Kinds.MAP;
    }
    if (value instanceof IndexedRecord) {
      return Kinds.RECORD;
    }
    return 0; // a Java object that is not a Weft value: only ANY takes it (the in-process schedulers pass them)
  }

  /**
   * A few words on {@code value} for messages: its type and the value, cut short (a list of a million items must not
   * make a message of megabytes).
   */
  public static String describe(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName() + " " + ErrorText.cut(String.valueOf(value), 200);
  }
}
