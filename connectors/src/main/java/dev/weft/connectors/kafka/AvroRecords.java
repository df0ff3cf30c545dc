package dev.weft.connectors.kafka;

import dev.weft.value.Values;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;

/**
 * Turns Weft maps into Avro records of a given schema, field by field: what an avro sink writes when its items are
 * maps. Strict, so that nothing is dropped or guessed: a key the schema has no field for, a missing field without a
 * default, or a value of another type is refused, naming its path.
 */
final class AvroRecords {
  private AvroRecords() {}

  /**
   * {@code map} as a record of {@code schema}.
   *
   * @param path the item, for messages: {@code item 3}
   * @throws IllegalArgumentException naming the path of the first part that does not fit the schema
   */
  static GenericData.Record record(Map<?, ?> map, Schema schema, String path) {
    for (Object key : map.keySet()) {
      if (!(key instanceof String) || schema.getField((String) key) == null) {
        throw new IllegalArgumentException(path + " has a key '" + key + "' that record schema "
            + schema.getFullName() + " has no field for (its fields: " + fieldNames(schema) + ")");
      }
    }
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      if (map.containsKey(field.name())) {
        record.put(field.pos(), datum(map.get(field.name()), field.schema(), path + "." + field.name()));
      } else if (field.hasDefaultValue()) {
        record.put(field.pos(), GenericData.get().getDefaultValue(field));
      } else {
        throw new IllegalArgumentException(path + " has no '" + field.name() + "', which record schema "
            + schema.getFullName() + " requires (the field has no default)");
      }
    }
    return record;
  }

  private static List<String> fieldNames(Schema schema) {
    return schema.getFields().stream().map(Schema.Field::name).toList();
  }

  private static Object datum(Object value, Schema schema, String path) {
    switch (schema.getType()) {
      case NULL:
        if (value == null) {
          return null;
        }
        break;
      case BOOLEAN:
        if (value instanceof Boolean) {
          return value;
        }
        break;
      case INT:
        if (value instanceof Integer) {
          return value;
        }
        if (value instanceof Long && (Long) value == ((Long) value).intValue()) {
          return ((Long) value).intValue();
        }
        break;
      case LONG:
        if (value instanceof Integer || value instanceof Long) {
          return ((Number) value).longValue();
        }
        break;
      case FLOAT:
        if (value instanceof Number) {
          return ((Number) value).floatValue();
        }
        break;
      case DOUBLE:
        if (value instanceof Number) {
          return ((Number) value).doubleValue();
        }
        break;
      case STRING:
        if (value instanceof CharSequence) {
          return value.toString();
        }
        break;
      case BYTES:
        if (value instanceof ByteBuffer) {
          return value;
        }
        break;
      case FIXED:
        if (value instanceof ByteBuffer && ((ByteBuffer) value).remaining() == schema.getFixedSize()) {
          byte[] bytes = new byte[schema.getFixedSize()];
          ((ByteBuffer) value).duplicate().get(bytes);
          return new GenericData.Fixed(schema, bytes);
        }
        break;
      case ENUM:
        if (value instanceof String && schema.hasEnumSymbol((String) value)) {
          return new GenericData.EnumSymbol(schema, value);
        }
        break;
      case ARRAY:
        if (value instanceof List) {
          List<?> items = (List<?>) value;
          List<Object> array = new ArrayList<>(items.size());
          for (int i = 0; i < items.size(); i++) {
            array.add(datum(items.get(i), schema.getElementType(), path + "[" + i + "]"));
          }
          return new GenericData.Array<>(schema, array);
        }
        break;
      case MAP:
        if (value instanceof Map) {
          Map<String, Object> entries = new LinkedHashMap<>();
          ((Map<?, ?>) value).forEach((key, item) -> entries.put(String.valueOf(key),
              datum(item, schema.getValueType(), path + "[\"" + key + "\"]")));
          return entries;
        }
        break;
      case RECORD:
        if (value instanceof Map) {
          return record((Map<?, ?>) value, schema, path);
        }
        if (value instanceof IndexedRecord && ((IndexedRecord) value).getSchema().equals(schema)) {
          return value;
        }
        break;
      case UNION:
        return union(value, schema, path);
      default:
        break;
    }
    throw new IllegalArgumentException(path + " is " + Values.describe(value) + " ("
        + (value == null ? "null" : value.getClass().getSimpleName()) + "), which does not fit Avro schema "
        + schema);
  }

  /** The first branch that takes the value, as Avro's own writer resolves a union. */
  private static Object union(Object value, Schema union, String path) {
    List<IllegalArgumentException> misfits = new ArrayList<>();
    for (Schema branch : union.getTypes()) {
      try {
        return datum(value, branch, path);
      } catch (IllegalArgumentException misfit) {
        if (branch.getType() != Schema.Type.NULL) {
          misfits.add(misfit); // the next branch may take it; if none does, each says why not
        }
      }
    }
    if (misfits.size() == 1) {
      throw misfits.get(0); // an optional value: why its one branch did not take it is the whole story
    }
    IllegalArgumentException none = new IllegalArgumentException(path + " is " + Values.describe(value)
        + ", which fits no branch of the union " + union);
    misfits.forEach(none::addSuppressed);
    throw none;
  }
}
