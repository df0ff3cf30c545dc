package dev.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;

/**
 * Results as plain JSON, for people and for tools such as {@code jq}: numbers, strings, booleans, null, lists as arrays
 * and maps as objects. What JSON has no plain form for is an object of one tagged field, as in graph files:
 * {@code {"bytes": "<base64>"}}, {@code {"double": "NaN"}} (and {@code Infinity}, {@code -Infinity}); an Avro record
 * is its Avro JSON encoding.
 */
final class ValueJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Indented as {@code jq} indents: two spaces, {@code "key": value}. */
  private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

  private ValueJson() {}

  /** {@code values} as one JSON object, keys in order, indented. */
  static String write(Map<String, Object> values) {
    ObjectNode object = NODES.objectNode();
    values.forEach((key, value) -> object.set(key, of(value)));
    try {
      return WRITER.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode of(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof CharSequence) {
      return NODES.textNode(value.toString());
    }
    if (value instanceof Boolean) {
      return NODES.booleanNode((Boolean) value);
    }
    if (value instanceof Long || value instanceof Integer) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      return Double.isFinite(number) ? NODES.numberNode(number)
          : NODES.objectNode().put("double", Double.toString(number));
    }
    if (value instanceof ByteBuffer) {
      ByteBuffer bytes = ((ByteBuffer) value).duplicate();
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      return NODES.objectNode().put("bytes", Base64.getEncoder().encodeToString(copy));
    }
    if (value instanceof List) {
      ArrayNode items = NODES.arrayNode();
      ((List<?>) value).forEach(item -> items.add(of(item)));
      return items;
    }
    if (value instanceof Map) {
      ObjectNode entries = NODES.objectNode();
      ((Map<?, ?>) value).forEach((key, item) -> entries.set(String.valueOf(key), of(item)));
      return entries;
    }
    if (value instanceof IndexedRecord) {
      return record((IndexedRecord) value);
    }
    return NODES.textNode(String.valueOf(value)); // an in-process scheduler may return any object
  }

  private static JsonNode record(IndexedRecord record) {
    Schema schema = record.getSchema();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out);
      new GenericDatumWriter<IndexedRecord>(schema).write(record, encoder);
      encoder.flush();
      return MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
