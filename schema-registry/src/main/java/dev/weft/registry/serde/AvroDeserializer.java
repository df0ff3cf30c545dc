package dev.weft.registry.serde;

import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.serde.internal.AvroDatums;
import dev.weft.registry.serde.internal.WireFormat;
import dev.weft.value.DecodeLimits;
import dev.weft.value.MalformedValueException;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BoundedDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Avro values in Confluent's wire format, written by {@link AvroSerializer} or any Confluent-compatible
 * serializer. The writer's schema is fetched by the id in the record (once per process), and the value is resolved into
 * the reader schema: the configured one, the subject's latest ({@code use.latest.version}), or the writer's own. So a
 * consumer on a newer schema reads older records and the other way round, as far as the schemas are compatible.
 *
 * <p>Returns Avro generic values ({@code GenericRecord}, {@code GenericEnumSymbol}, {@code GenericFixed}, lists,
 * maps, {@code Utf8} inside records), a {@code String} for a top-level string and a {@code byte[]} for top-level
 * bytes. It never instantiates classes named by the data.
 *
 * <p>Decoding is bounded: the header is checked, every length and count is checked against the bytes that remain
 * before anything is allocated, and nesting and item counts are limited ({@link AvroSerdeConfig}). Undecodable bytes
 * raise a {@link SerializationException} that says why. Thread-safe once configured.
 */
public final class AvroDeserializer implements Deserializer<Object> {
  private static final int MAX_CACHED_READERS = 1_000;

  private SchemaRegistryClient client;
  private final boolean ownsClient;
  private boolean isKey;
  private Schema readerSchema;
  private boolean useLatestVersion;
  private SubjectNameStrategy subjectNames;
  private DecodeLimits limits;
  private final Map<ReaderKey, Reader> readers = new ConcurrentHashMap<>();

  private record ReaderKey(Schema writer, Schema reader) {}

  /** Avro's resolver for one writer and reader schema, built once: resolution is costly, reading is not. */
  private record Reader(GenericDatumReader<Object> datumReader, boolean itemsTakeBytes) {}

  /** A deserializer that builds its registry client from {@code schema.registry.url} and the other client keys. */
  public AvroDeserializer() {
    this.ownsClient = true;
  }

  /** A deserializer that uses {@code client}, which it does not close; {@link #configure} must still be called. */
  public AvroDeserializer(SchemaRegistryClient client) {
    this.client = client;
    this.ownsClient = false;
  }

  /** A deserializer that uses {@code client}, configured by {@code configs}. */
  public AvroDeserializer(SchemaRegistryClient client, Map<String, ?> configs, boolean isKey) {
    this(client);
    configure(configs, isKey);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    this.isKey = isKey;
    this.readerSchema = config.readerSchema(isKey);
    this.useLatestVersion = config.useLatestVersion();
    this.subjectNames = config.subjectNameStrategy(isKey);
    this.limits = config.decodeLimits();
    this.readers.clear();
    if (ownsClient) {
      if (client != null) {
        client.close();
      }
      client = RestSchemaRegistryClient.fromConfigs(configs);
    }
  }

  /**
   * @throws SerializationException for a record too short for the header, with another magic byte, with an id the
   *     registry does not know, or whose body does not decode under the writer's schema (truncated, corrupt, over a
   *     limit), or whose writer's schema the reader schema cannot read
   */
  @Override
  public Object deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (client == null || limits == null) {
      throw new IllegalStateException("AvroDeserializer is not configured: call configure() first");
    }
    int id = WireFormat.schemaId(data, topic);
    Schema writer = writerSchema(id, topic);
    Schema reader = readerSchema(topic, writer);
    Object value = decode(data, id, writer, reader, topic);
    if (value instanceof Utf8) {
      return value.toString();
    }
    if (value instanceof ByteBuffer) {
      ByteBuffer buffer = (ByteBuffer) value;
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    }
    return value;
  }

  private Schema writerSchema(int id, String topic) {
    try {
      return client.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        throw new SerializationException("unknown schema id " + id + " in a record on topic '" + topic + "': the"
            + " registry has no schema with that id (" + e.registryMessage() + "); the record was written against"
            + " another registry, or is corrupt", e);
      }
      throw new SerializationException("cannot fetch schema id " + id + " for a record on topic '" + topic + "': "
          + e.getMessage(), e);
    }
  }

  private Schema readerSchema(String topic, Schema writer) {
    if (readerSchema != null) {
      return readerSchema;
    }
    if (!useLatestVersion) {
      return writer;
    }
    String subject = subjectNames.subjectName(topic, isKey, writer);
    try {
      return client.latest(subject).schema();
    } catch (SchemaRegistryException e) {
      throw new SerializationException("cannot fetch the latest schema of subject '" + subject + "' to read a"
          + " record on topic '" + topic + "': " + e.getMessage(), e);
    }
  }

  private Object decode(byte[] data, int id, Schema writer, Schema reader, String topic) {
    Reader datumReader = reader(writer, reader, id, topic);
    int bodyLength = data.length - WireFormat.HEADER_SIZE;
    BoundedDecoder decoder = new BoundedDecoder(
        new BinaryReader(ByteBuffer.wrap(data, WireFormat.HEADER_SIZE, bodyLength)), limits,
        datumReader.itemsTakeBytes());
    String context = "cannot decode a record on topic '" + topic + "' (schema id " + id + ", " + writer.getFullName()
        + ", " + bodyLength + " bytes of Avro): ";
    try {
      Object value = datumReader.datumReader().read(null, decoder);
      int trailing = decoder.reader().remaining();
      if (trailing != 0) {
        throw new SerializationException(context + trailing + " bytes remain after the value: the record is"
            + " corrupt, or was not written with schema id " + id);
      }
      return value;
    } catch (MalformedValueException e) {
      throw new SerializationException(context + e.getMessage(), e);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
      throw new SerializationException(context + e, e);
    } catch (StackOverflowError e) {
      // Records may nest through unions without any array or map, where the decoder's depth limit does not reach.
      throw new SerializationException(context + "records nested deeper than the stack allows", e);
    }
  }

  private Reader reader(Schema writer, Schema reader, int id, String topic) {
    ReaderKey key = new ReaderKey(writer, reader);
    Reader cached = readers.get(key);
    if (cached != null) {
      return cached;
    }
    if (writer != reader) {
      // Checked once here, so that an incompatible pair is reported as such rather than as corrupt data.
      SchemaCompatibility.SchemaPairCompatibility compatibility =
          SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
      if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw new SerializationException("the reader schema " + reader.getFullName() + " cannot read records"
            + " written with schema id " + id + " (" + writer.getFullName() + ") on topic '" + topic + "': "
            + compatibility.getResult().getIncompatibilities().stream()
                .map(incompatibility -> incompatibility.getMessage() + " at " + incompatibility.getLocation())
                .collect(Collectors.joining("; ")));
      }
    }
    GenericDatumReader<Object> datumReader = new GenericDatumReader<>(writer, reader, GenericData.get());
    if (readers.size() >= MAX_CACHED_READERS) {
      readers.clear();
    }
    Reader built = new Reader(datumReader, AvroDatums.arrayItemsTakeBytes(writer));
    readers.put(key, built);
    return built;
  }
}
