package dev.weft.connectors.kafka;

import java.util.Locale;

/**
 * How the values of a topic's records are encoded, and which Weft values they become. Keys are not read or written.
 * A null value (a tombstone) is a null item, and a null item is written as a tombstone, in every format.
 */
public enum TopicFormat {
  /**
   * Avro in Confluent's wire format (magic byte, schema id, Avro binary), the writer's schema fetched from the schema
   * registry: records are read as {@code GenericRecord}s. Written records' schemas are registered under the topic's
   * subject, {@code <topic>-value}, unless the connection configures the serializer otherwise.
   */
  AVRO,
  /**
   * JSON text in UTF-8: objects are read as maps, arrays as lists, integers as {@code Long}, fractions as
   * {@code Double}. Written items are plain JSON; an Avro record is written as an object of its fields.
   */
  JSON,
  /** UTF-8 text, read as {@code String}s. A written item that is not a string is written as its JSON text. */
  STRING,
  /** The value's bytes as they are, read as {@code ByteBuffer}s; a written string is written as its UTF-8 bytes. */
  BYTES;

  /** The name in task arguments: {@code "avro"}, {@code "json"}, {@code "string"}, {@code "bytes"}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The format named {@code label}, in any case.
   *
   * @throws IllegalArgumentException for another name, listing the formats
   */
  public static TopicFormat of(String label) {
    for (TopicFormat format : values()) {
      if (format.name().equalsIgnoreCase(label)) {
        return format;
      }
    }
    throw new IllegalArgumentException("unknown topic format '" + label + "' (formats: avro, json, string, bytes)");
  }
}
