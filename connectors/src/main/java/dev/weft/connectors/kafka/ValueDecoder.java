package dev.weft.connectors.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.registry.serde.AvroDeserializer;
import dev.weft.value.Values;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Turns the values of one topic's records into Weft values, by {@link TopicFormat}. Not thread-safe. */
final class ValueDecoder {
  /** Integers as Long, whatever their size, and nothing after the value: the JSON format's contract. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final TopicFormat format;
  private final String topic;
  private final AvroDeserializer avro;

  ValueDecoder(TopicFormat format, String topic, ClientSettings settings) {
    this.format = format;
    this.topic = topic;
    this.avro = format == TopicFormat.AVRO ? new AvroDeserializer(settings.registry(), settings.clients(), false)
        : null;
  }

  /**
   * The value of the record at {@code offset} of {@code partition}; null for a null value.
   *
   * @throws IllegalArgumentException naming the record when its value is not of the format
   */
  Object decode(byte[] data, int partition, long offset) {
    if (data == null) {
      return null;
    }
    String what = "the value at offset " + offset + " of topic '" + topic + "' partition " + partition;
    try {
      switch (format) {
        case BYTES:
          return ByteBuffer.wrap(data);
        case STRING:
          return utf8(data);
        case JSON:
          return Values.canonical(JSON.readValue(data, Object.class), what);
        case AVRO:
          return Values.canonical(avro.deserialize(topic, data), what);
        default:
          throw new IllegalStateException("no decoder for format " + format);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not JSON: " + e.getOriginalMessage(), e);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " is not UTF-8 text", e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(what + " cannot be read as " + format.label() + ": " + e.getMessage(), e);
    }
  }

  private static String utf8(byte[] data) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
  }
}
