package dev.weft.connectors.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.graph.codec.GraphJson;
import dev.weft.registry.serde.AvroSerializer;
import dev.weft.value.Values;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/** Turns Weft values into the values of one topic's records, by {@link TopicFormat}. Not thread-safe. */
final class ValueEncoder {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final TopicFormat format;
  private final String topic;
  private final Schema recordSchema;
  private final AvroSerializer avro;

  /** @param recordSchema the schema maps are written as, for {@link TopicFormat#AVRO}; or null */
  ValueEncoder(TopicFormat format, String topic, ClientSettings settings, Schema recordSchema) {
    this.format = format;
    this.topic = topic;
    this.recordSchema = recordSchema;
    this.avro = format == TopicFormat.AVRO ? new AvroSerializer(settings.registry(), settings.clients(), false)
        : null;
  }

  /**
   * The record value of {@code item}; null for null (a tombstone).
   *
   * @param index the item's index in its partition, for messages
   * @throws IllegalArgumentException naming the item when it has no form in the format, or the registry refuses it
   */
  byte[] encode(Object item, int index) {
    if (item == null) {
      return null;
    }
    String what = "item " + index + " (" + Values.describe(item) + ")";
    try {
      switch (format) {
        case BYTES:
          if (item instanceof ByteBuffer) {
            return bytes((ByteBuffer) item);
          }
          if (item instanceof String) {
            return ((String) item).getBytes(StandardCharsets.UTF_8);
          }
          throw new IllegalArgumentException("a bytes topic takes bytes or strings");
        case STRING:
          return item instanceof String ? ((String) item).getBytes(StandardCharsets.UTF_8)
              : JSON.writeValueAsBytes(plain(item));
        case JSON:
          return JSON.writeValueAsBytes(plain(item));
        case AVRO:
          return avro.serialize(topic, avroDatum(item, "item " + index));
        default:
          throw new IllegalStateException("no encoder for format " + format);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " cannot be written as JSON to topic '" + topic + "': "
          + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + " cannot be written as " + format.label() + " to topic '" + topic
          + "': " + e.getMessage(), e);
    }
  }

  private Object avroDatum(Object item, String path) {
    if (item instanceof Map && recordSchema != null) {
      return AvroRecords.record((Map<?, ?>) item, recordSchema, path);
    }
    if (item instanceof Map || item instanceof List) {
      throw new IllegalArgumentException("an avro topic takes Avro records (or primitives), not a "
          + (item instanceof Map ? "map" : "list") + ": give the sink a record schema to write maps as records of "
          + "it, or write json");
    }
    return item instanceof ByteBuffer ? bytes((ByteBuffer) item) : item;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  /**
   * A value as plain JSON, as Weft writes values for people and tools ({@link GraphJson#plain}), except that an Avro
   * record is an object of its fields, as a JSON topic's readers expect, rather than tagged with its schema.
   */
  static JsonNode plain(Object value) {
    if (value instanceof IndexedRecord) {
      IndexedRecord record = (IndexedRecord) value;
      ObjectNode fields = NODES.objectNode();
      for (Schema.Field field : record.getSchema().getFields()) {
        fields.set(field.name(), plain(record.get(field.pos())));
      }
      return fields;
    }
    if (value instanceof Map) {
      ObjectNode entries = NODES.objectNode();
      ((Map<?, ?>) value).forEach((key, item) -> entries.set(String.valueOf(key), plain(item)));
      return entries;
    }
    if (value instanceof List) {
      ArrayNode items = NODES.arrayNode();
      ((List<?>) value).forEach(item -> items.add(plain(item)));
      return items;
    }
    if (value instanceof CharSequence || value instanceof GenericEnumSymbol) {
      return NODES.textNode(value.toString()); // Avro strings inside records are Utf8
    }
    if (value instanceof GenericFixed) {
      return GraphJson.plain(ByteBuffer.wrap(((GenericFixed) value).bytes()));
    }
    return GraphJson.plain(value);
  }
}
