package dev.weft.value;

import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Encodes {@link Values} in the Avro binary encoding of the {@code dev.weft.avro.Value} schema, and decodes them
 * within {@link DecodeLimits}.
 *
 * <p>The encoding is exactly what Avro's own writers produce for that schema (tests check both directions), but it is
 * written straight from Java values, without building Avro objects first, and decoding returns bytes as slices of the
 * input rather than copies. That is what makes a 16 MB value cheap to pass between processes.
 *
 * <p>Thread-safe.
 */
public final class ValueCodec {
  static final int NULL = 0;
  static final int BOOLEAN = 1;
  static final int INT = 2;
  static final int LONG = 3;
  static final int FLOAT = 4;
  static final int DOUBLE = 5;
  static final int STRING = 6;
  static final int BYTES = 7;
  static final int ARRAY = 8;
  static final int MAP = 9;
  static final int RECORD = 10;

  private final DecodeLimits limits;
  private final RecordSchemas schemas;
  private final RecordEncoding records;

  public ValueCodec() {
    this(DecodeLimits.DEFAULT, RecordSchemas.embedded());
  }

  public ValueCodec(DecodeLimits limits, RecordSchemas schemas) {
    this.limits = limits;
    this.schemas = schemas;
    this.records = new RecordEncoding(schemas, limits);
  }

  /** The encoding of {@code value}, as a new array. */
  public byte[] encode(Object value) {
    BinaryWriter out = new BinaryWriter();
    write(value, out);
    return out.toByteArray();
  }

  /**
   * Appends the encoding of {@code value} to {@code out}.
   *
   * @throws IllegalArgumentException naming the path of a part that is not a value, or that is nested deeper than the
   *     depth limit (what a reader would refuse is not written: a list that holds itself, say)
   */
  public void write(Object value, BinaryWriter out) {
    try {
      writeValue(value, out, 0);
    } catch (NotAValue e) {
      throw new IllegalArgumentException("cannot encode " + e.path + ": " + e.getMessage());
    }
  }

  private void writeValue(Object value, BinaryWriter out, int depth) {
    if (value instanceof Long) {
      out.writeInt(LONG);
      out.writeLong((Long) value);
    } else if (value instanceof String) {
      out.writeInt(STRING);
      out.writeString((String) value);
    } else if (value == null) {
      out.writeInt(NULL);
    } else if (value instanceof Integer) {
      out.writeInt(INT);
      out.writeInt((Integer) value);
    } else if (value instanceof Double) {
      out.writeInt(DOUBLE);
      out.writeDouble((Double) value);
    } else if (value instanceof Boolean) {
      out.writeInt(BOOLEAN);
      out.writeBoolean((Boolean) value);
    } else if (value instanceof Float) {
      out.writeInt(FLOAT);
      out.writeFloat((Float) value);
    } else if (value instanceof ByteBuffer) {
      out.writeInt(BYTES);
      out.writeBytes((ByteBuffer) value);
    } else if (value instanceof byte[]) {
      out.writeInt(BYTES);
      out.writeBytes((byte[]) value);
    } else if (value instanceof List) {
      writeList((List<?>) value, out, deeperToWrite(depth));
    } else if (value instanceof Map) {
      writeMap((Map<?, ?>) value, out, deeperToWrite(depth));
    } else if (value instanceof IndexedRecord) {
      deeperToWrite(depth);
      writeRecord((IndexedRecord) value, out);
    } else if (value instanceof CharSequence) {
      out.writeInt(STRING);
      out.writeString(value.toString());
    } else if (value instanceof Short || value instanceof Byte) {
      out.writeInt(INT);
      out.writeInt(((Number) value).intValue());
    } else {
      throw new NotAValue("value", "a " + value.getClass().getName() + " is not a Weft value");
    }
  }

  private int deeperToWrite(int depth) {
    if (depth + 1 > limits.maxDepth()) {
      throw new NotAValue("value", "it is nested deeper than " + limits.maxDepth()
          + " levels, the most a reader takes");
    }
    return depth + 1;
  }

  private void writeList(List<?> list, BinaryWriter out, int depth) {
    out.writeInt(ARRAY);
    if (!list.isEmpty()) {
      out.writeLong(list.size());
      int index = 0;
      for (Object item : list) {
        try {
          writeValue(item, out, depth);
        } catch (NotAValue e) {
          throw e.under("[" + index + "]");
        }
        index++;
      }
    }
    out.writeLong(0);
  }

  private void writeMap(Map<?, ?> map, BinaryWriter out, int depth) {
    out.writeInt(MAP);
    if (!map.isEmpty()) {
      out.writeLong(map.size());
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Object key = entry.getKey();
        if (!(key instanceof CharSequence)) {
          throw new NotAValue("value", "map key " + key + " is not a string");
        }
        out.writeString(key.toString());
        try {
          writeValue(entry.getValue(), out, depth);
        } catch (NotAValue e) {
          throw e.under("[\"" + key + "\"]");
        }
      }
    }
    out.writeLong(0);
  }

  private void writeRecord(IndexedRecord record, BinaryWriter out) {
    Schema schema = record.getSchema();
    Integer id = schemas.idOf(schema);
    out.writeInt(RECORD);
    out.writeLong(records.fingerprint(schema));
    if (id == null) {
      out.writeInt(0);
    } else {
      out.writeInt(1);
      out.writeInt(id);
    }
    if (schemas.embed(schema)) {
      out.writeInt(1);
      out.writeString(schema.toString());
    } else {
      out.writeInt(0);
    }
    try {
      out.writeBytes(records.data(record));
    } catch (ValueTooLargeException e) {
      throw e; // the value is fine; where it goes has no room for it
    } catch (IllegalArgumentException e) {
      throw new NotAValue("value", e.getMessage());
    } catch (StackOverflowError e) {
      throw new NotAValue("value", "record of schema " + schema.getFullName() + " is nested too deeply to encode");
    }
  }

  /**
   * Decodes one value that fills {@code bytes} exactly.
   *
   * @throws MalformedValueException if the bytes are not one valid value
   */
  public Object decode(ByteBuffer bytes) {
    BinaryReader in = new BinaryReader(bytes);
    Object value = read(in);
    if (in.remaining() != 0) {
      throw new MalformedValueException(in.remaining() + " bytes after the end of the value");
    }
    return value;
  }

  public Object decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  /** Decodes the next value of {@code in}. */
  public Object read(BinaryReader in) {
    return readValue(in, 0);
  }

  private Object readValue(BinaryReader in, int depth) {
    int branch = in.readInt();
    switch (branch) {
      case NULL:
        return null;
      case BOOLEAN:
        return in.readBoolean();
      case INT:
        return in.readInt();
      case LONG:
        return in.readLong();
      case FLOAT:
        return in.readFloat();
      case DOUBLE:
        return in.readDouble();
      case STRING:
        return in.readString();
      case BYTES:
        return in.readBytes();
      case ARRAY:
        return readList(in, deeper(depth));
      case MAP:
        return readMap(in, deeper(depth));
      case RECORD:
        return readRecord(in, deeper(depth));
      default:
        throw new MalformedValueException("unknown value branch " + branch + " (this reader knows 0 to " + RECORD
            + ")");
    }
  }

  private int deeper(int depth) {
    if (depth + 1 > limits.maxDepth()) {
      throw new MalformedValueException("value nested deeper than " + limits.maxDepth() + " levels");
    }
    return depth + 1;
  }

  private List<Object> readList(BinaryReader in, int depth) {
    long count = in.readBlockCount(1);
    List<Object> list = new ArrayList<>((int) Math.min(count, 1024));
    while (count != 0) {
      for (long i = 0; i < count; i++) {
        list.add(readValue(in, depth));
      }
      count = in.readBlockCount(1);
    }
    return list;
  }

  private Map<String, Object> readMap(BinaryReader in, int depth) {
    long count = in.readBlockCount(2);
    Map<String, Object> map = new LinkedHashMap<>((int) Math.min(count * 2, 2048));
    while (count != 0) {
      for (long i = 0; i < count; i++) {
        String key = in.readString();
        map.put(key, readValue(in, depth));
      }
      count = in.readBlockCount(2);
    }
    return map;
  }

  private IndexedRecord readRecord(BinaryReader in, int depth) {
    long fingerprint = in.readLong();
    Integer id = readOptionalInt(in);
    String schemaJson = readOptionalString(in);
    ByteBuffer data = in.readBytes();
    return records.decode(fingerprint, id, schemaJson, data, depth);
  }

  private static Integer readOptionalInt(BinaryReader in) {
    int branch = in.readInt();
    if (branch == 0) {
      return null;
    }
    if (branch != 1) {
      throw new MalformedValueException("unknown branch " + branch + " of an optional int");
    }
    return in.readInt();
  }

  private static String readOptionalString(BinaryReader in) {
    int branch = in.readInt();
    if (branch == 0) {
      return null;
    }
    if (branch != 1) {
      throw new MalformedValueException("unknown branch " + branch + " of an optional string");
    }
    return in.readString();
  }

  /** Thrown while encoding; collects the path on the way out. */
  private static final class NotAValue extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;

    NotAValue(String path, String message) {
      super(message, null, false, false);
      this.path = path;
    }

    NotAValue under(String segment) {
      return new NotAValue("value" + segment + path.substring("value".length()), getMessage());
    }
  }
}
