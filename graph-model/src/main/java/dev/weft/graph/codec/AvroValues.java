package dev.weft.graph.codec;

import dev.weft.avro.RecordValue;
import dev.weft.avro.Value;
import dev.weft.value.MalformedValueException;
import dev.weft.value.RecordEncoding;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/** Converts between Java values and the generated {@link Value} records. */
final class AvroValues {
  private final RecordEncoding records;

  AvroValues(RecordEncoding records) {
    this.records = records;
  }

  Value toAvro(Object value) {
    return new Value(toBranch(value));
  }

  private Object toBranch(Object value) {
    if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Float || value instanceof Double || value instanceof String) {
      return value;
    }
    if (value instanceof ByteBuffer) {
      return ((ByteBuffer) value).duplicate();
    }
    if (value instanceof List) {
      List<Value> items = new ArrayList<>(((List<?>) value).size());
      for (Object item : (List<?>) value) {
        items.add(toAvro(item));
      }
      return items;
    }
    if (value instanceof Map) {
      Map<String, Value> entries = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        entries.put((String) entry.getKey(), toAvro(entry.getValue()));
      }
      return entries;
    }
    if (value instanceof IndexedRecord) {
      IndexedRecord record = (IndexedRecord) value;
      Schema schema = record.getSchema();
      return RecordValue.newBuilder()
          .setFingerprint(records.fingerprint(schema))
          .setSchemaId(records.schemas().idOf(schema))
          .setSchema$(records.schemas().embed(schema) ? schema.toString() : null)
          .setData(ByteBuffer.wrap(records.data(record)))
          .build();
    }
    throw new IllegalArgumentException("a " + value.getClass().getName() + " is not a Weft value");
  }

  Object fromAvro(Value value, int depth) {
    Object branch = value.getValue();
    if (branch instanceof List) {
      List<?> items = (List<?>) branch;
      List<Object> list = new ArrayList<>(items.size());
      for (Object item : items) {
        list.add(fromAvro((Value) item, depth + 1));
      }
      return list;
    }
    if (branch instanceof Map) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) branch).entrySet()) {
        map.put(entry.getKey().toString(), fromAvro((Value) entry.getValue(), depth + 1));
      }
      return map;
    }
    if (branch instanceof RecordValue) {
      RecordValue record = (RecordValue) branch;
      return records.decode(record.getFingerprint(), record.getSchemaId(), record.getSchema$(), record.getData(),
          depth + 1);
    }
    if (branch instanceof CharSequence) {
      return branch.toString();
    }
    if (branch == null || branch instanceof Boolean || branch instanceof Number || branch instanceof ByteBuffer) {
      return branch;
    }
    throw new MalformedValueException("unexpected value branch " + branch.getClass().getName());
  }
}
