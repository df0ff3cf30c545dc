package dev.weft.connectors.files;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes a Weft value as plain JSON, the form {@link JsonLineParser} reads back: maps and Avro records as objects
 * (a record's fields by name, in schema order), lists as arrays, bytes (and Avro fixed) as base64 strings, Avro enum
 * symbols and strings as strings. A record is written as its data, without the type wrappers of Avro's own JSON
 * encoding, so that a JSON-lines file of records reads as any other.
 */
final class JsonValueWriter {
  private JsonValueWriter() {}

  /**
   * Writes {@code value}.
   *
   * @throws NotAValue for a part of {@code value} that is not a Weft value, naming where it is in {@code value}
   */
  static void write(JsonGenerator out, Object value) throws IOException {
    writeValue(out, value);
  }

  /** A part of a value that has no JSON form. The containers it is in add their steps to its path as it goes up. */
  static final class NotAValue extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String type;
    private String path = "";

    NotAValue(String type) {
      super(null, null, false, false); // thrown up a few levels and turned into a message: no stack trace needed
      this.type = type;
    }

    NotAValue under(String step) {
      path = step + path;
      return this;
    }

    /** A message naming the part, within the value called {@code name}: {@code item 3["tags"][1] is a ...}. */
    String describe(String name) {
      return name + path + " is a " + type + ", which is not a Weft value and has no JSON form";
    }
  }

  private static void writeValue(JsonGenerator out, Object value) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof CharSequence) {
      out.writeString(value.toString());
    } else if (value instanceof Boolean) {
      out.writeBoolean((Boolean) value);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      out.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double) {
      out.writeNumber((Double) value);
    } else if (value instanceof Float) {
      out.writeNumber((Float) value);
    } else if (value instanceof Map) {
      writeMap(out, (Map<?, ?>) value);
    } else if (value instanceof List) {
      writeList(out, (List<?>) value);
    } else if (value instanceof IndexedRecord) {
      writeRecord(out, (IndexedRecord) value);
    } else if (value instanceof ByteBuffer) {
      ByteBuffer bytes = ((ByteBuffer) value).duplicate(); // reading must not move the item's position
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      out.writeBinary(copy);
    } else if (value instanceof byte[]) {
      out.writeBinary((byte[]) value);
    } else if (value instanceof GenericFixed) {
      out.writeBinary(((GenericFixed) value).bytes());
    } else if (value instanceof GenericEnumSymbol) {
      out.writeString(value.toString());
    } else {
      throw new NotAValue(value.getClass().getName());
    }
  }

  private static void writeMap(JsonGenerator out, Map<?, ?> map) throws IOException {
    out.writeStartObject();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object key = entry.getKey();
      if (!(key instanceof CharSequence)) {
        throw new NotAValue("map with a key of type " + (key == null ? "null" : key.getClass().getName()));
      }
      out.writeFieldName(key.toString());
      try {
        writeValue(out, entry.getValue());
      } catch (NotAValue e) {
        throw e.under("[\"" + key + "\"]");
      }
    }
    out.writeEndObject();
  }

  private static void writeList(JsonGenerator out, List<?> list) throws IOException {
    out.writeStartArray();
    int index = 0;
    for (Object item : list) {
      try {
        writeValue(out, item);
      } catch (NotAValue e) {
        throw e.under("[" + index + "]");
      }
      index++;
    }
    out.writeEndArray();
  }

  private static void writeRecord(JsonGenerator out, IndexedRecord record) throws IOException {
    out.writeStartObject();
    for (Schema.Field field : record.getSchema().getFields()) {
      out.writeFieldName(field.name());
      try {
        writeValue(out, record.get(field.pos()));
      } catch (NotAValue e) {
        throw e.under("." + field.name());
      }
    }
    out.writeEndObject();
  }
}
