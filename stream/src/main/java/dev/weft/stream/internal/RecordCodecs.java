package dev.weft.stream.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.graph.codec.GraphJson;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.serde.AvroDeserializer;
import dev.weft.registry.serde.AvroSerializer;
import dev.weft.stream.Format;
import dev.weft.value.Values;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Turns the keys and values of records into Weft values and back, by {@link Format}. What cannot be decoded or encoded
 * is the record's fault ({@link BadRecordException}, so it becomes a dead letter); a registry that cannot be reached is
 * not ({@link RegistryAwayException}: the batch is tried again).
 */
final class RecordCodecs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AvroDeserializer avroReader;
  private final AvroSerializer avroWriter;

  RecordCodecs(SchemaRegistryClient registry) {
    this.avroReader = new AvroDeserializer(registry, Map.of(), false);
    this.avroWriter = new AvroSerializer(registry, Map.of(), false);
  }

  /** A record the job cannot take, and why. */
  static final class BadRecordException extends Exception {
    BadRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The schema registry could not be reached: nothing is wrong with the record. */
  static final class RegistryAwayException extends RuntimeException {
    RegistryAwayException(Throwable cause) {
      super("the schema registry cannot be reached: " + cause.getMessage(), cause);
    }
  }

  Object decode(Format format, String topic, byte[] data, String what) throws BadRecordException {
    if (data == null) {
      return null;
    }
    try {
      switch (format) {
        case BYTES:
          return ByteBuffer.wrap(data);
        case STRING:
          return utf8(data);
        case JSON:
          return Values.canonical(JSON.readValue(utf8(data), Object.class), what);
        case AVRO:
          return Values.canonical(avroReader.deserialize(topic, data), what);
        default:
          throw new IllegalStateException(format.toString());
      }
    } catch (JsonProcessingException e) {
      throw new BadRecordException("the " + what + " is not JSON: " + e.getOriginalMessage(), e);
    } catch (CharacterCodingException e) {
      throw new BadRecordException("the " + what + " is not UTF-8 text", e);
    } catch (RuntimeException e) {
      if (registryAway(e)) {
        throw new RegistryAwayException(e);
      }
      throw new BadRecordException("the " + what + " cannot be read as " + format.jsonName() + ": " + e.getMessage(),
          e);
    }
  }

  /** @throws BadRecordException when {@code value} has no form in {@code format} */
  byte[] encode(Format format, String topic, Object value) throws BadRecordException {
    if (value == null) {
      return null;
    }
    try {
      switch (format) {
        case BYTES:
          if (value instanceof ByteBuffer) {
            ByteBuffer buffer = ((ByteBuffer) value).duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
          }
          if (value instanceof String) {
            return ((String) value).getBytes(StandardCharsets.UTF_8);
          }
          throw new BadRecordException("a bytes output needs bytes or a string, not " + Values.describe(value), null);
        case STRING:
          if (value instanceof String) {
            return ((String) value).getBytes(StandardCharsets.UTF_8);
          }
          return JSON.writeValueAsBytes(GraphJson.plain(value));
        case JSON:
          return JSON.writeValueAsBytes(GraphJson.plain(value));
        case AVRO:
          if (value instanceof Map || value instanceof List) {
            throw new BadRecordException("an avro output needs an Avro record or a primitive, not "
                + Values.describe(value) + ": build a record (a function returning a GenericRecord) or write the "
                + "output as json", null);
          }
          return avroWriter.serialize(topic, value instanceof ByteBuffer ? bytes((ByteBuffer) value) : value);
        default:
          throw new IllegalStateException(format.toString());
      }
    } catch (JsonProcessingException e) {
      throw new BadRecordException("the output cannot be written as JSON: " + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      if (registryAway(e)) {
        throw new RegistryAwayException(e);
      }
      throw new BadRecordException("the output cannot be written as " + format.jsonName() + " to '" + topic + "': "
          + e.getMessage(), e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  private static String utf8(byte[] data) throws CharacterCodingException {
    CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
    return chars.toString();
  }

  /** No answer, or a 5xx: the registry is away or failing, which says nothing about the record. */
  private static boolean registryAway(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SchemaRegistryException) {
        int status = ((SchemaRegistryException) cause).status();
        return status == SchemaRegistryException.NO_RESPONSE || status >= 500;
      }
    }
    return false;
  }
}
