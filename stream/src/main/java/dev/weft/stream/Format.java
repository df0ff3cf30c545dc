package dev.weft.stream;

import java.util.Locale;

/** How the keys and values of a topic are encoded. */
public enum Format {
  /** Avro in Confluent's wire format (magic byte, schema registry id, binary); written under the topic's subject. */
  AVRO,
  /** UTF-8 JSON text: objects become maps, arrays lists, numbers longs or doubles. */
  JSON,
  /** UTF-8 text. */
  STRING,
  /** The bytes as they are. */
  BYTES;

  /** The name used in job files: {@code avro}, {@code json}, {@code string}, {@code bytes}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the formats there are */
  public static Format named(String name) {
    for (Format format : values()) {
      if (format.jsonName().equalsIgnoreCase(name)) {
        return format;
      }
    }
    throw new IllegalArgumentException("unknown format '" + name + "' (formats: avro, json, string, bytes)");
  }
}
