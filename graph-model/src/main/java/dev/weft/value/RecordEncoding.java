package dev.weft.value;

import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BoundedDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * How an Avro record of a user schema becomes a {@code RecordValue} (fingerprint, registry id, embedded schema, data)
 * and back. Shared by {@link ValueCodec} and the graph codecs.
 */
public final class RecordEncoding {
  private final RecordSchemas schemas;
  private final DecodeLimits limits;

  public RecordEncoding(RecordSchemas schemas, DecodeLimits limits) {
    this.schemas = schemas;
    this.limits = limits;
  }

  public RecordSchemas schemas() {
    return schemas;
  }

  public long fingerprint(Schema schema) {
    return schemas instanceof RecordSchemas.Embedded
        ? ((RecordSchemas.Embedded) schemas).fingerprintOf(schema)
        : RecordSchemas.fingerprint(schema);
  }

  /** The record's Avro binary encoding under its own schema. */
  public byte[] data(IndexedRecord record) {
    Schema schema = record.getSchema();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(data, null);
    try {
      new GenericDatumWriter<IndexedRecord>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("record of schema " + schema.getFullName() + " does not match its schema: "
          + e.getMessage(), e);
    }
    return data.toByteArray();
  }

  /**
   * The record that {@code data} encodes under the schema that {@code fingerprint}, {@code id} or {@code schemaJson}
   * names.
   *
   * @param depth how deeply the record is nested in the value that holds it, counted against the depth limit
   */
  public IndexedRecord decode(long fingerprint, Integer id, String schemaJson, ByteBuffer data, int depth) {
    Schema schema = resolveSchema(fingerprint, id, schemaJson);
    BoundedDecoder decoder = new BoundedDecoder(new BinaryReader(data),
        new DecodeLimits(Math.max(1, limits.maxDepth() - depth), limits.maxCollectionItems()), false);
    try {
      Object record = new GenericDatumReader<>(schema, schema, GenericData.get()).read(null, decoder);
      if (decoder.reader().remaining() != 0) {
        throw new MalformedValueException("record of schema " + schema.getFullName() + " has "
            + decoder.reader().remaining() + " bytes after its end");
      }
      return (IndexedRecord) record;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new MalformedValueException("record of schema " + schema.getFullName() + " cannot be decoded: "
          + e.getMessage(), e);
    } catch (StackOverflowError e) {
      // A recursive schema nests records through unions, which the decoder's depth limit does not see: a few bytes
      // per level make a stack of any height.
      throw new MalformedValueException("record of schema " + schema.getFullName() + " is nested too deeply to "
          + "decode");
    }
  }

  private Schema resolveSchema(long fingerprint, Integer id, String schemaJson) {
    Schema schema = schemas.byFingerprint(fingerprint);
    if (schema == null && id != null) {
      schema = schemas.byId(id);
    }
    if (schema == null && schemaJson != null) {
      try {
        schema = new Schema.Parser().parse(schemaJson);
      } catch (AvroRuntimeException | IllegalArgumentException | NullPointerException e) {
        // Not only SchemaParseException: a schema that parses can still be refused (AvroTypeException for a default
        // of the wrong type), and the JSON comes from outside.
        throw new MalformedValueException("record value with an invalid embedded schema: " + e.getMessage(), e);
      }
      long actual = RecordSchemas.fingerprint(schema);
      if (actual != fingerprint) {
        throw new MalformedValueException("record value's embedded schema has fingerprint "
            + Long.toHexString(actual) + " but the value claims " + Long.toHexString(fingerprint));
      }
      schemas.remember(fingerprint, schema);
    }
    if (schema == null) {
      throw new MalformedValueException("record value names schema fingerprint " + Long.toHexString(fingerprint)
          + (id == null ? "" : " (registry id " + id + ")") + ", which is unknown here, and embeds none");
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new MalformedValueException("record value's schema is a " + schema.getType() + ", not a record");
    }
    return schema;
  }
}
