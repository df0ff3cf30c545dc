package dev.weft.registry.serde.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/** The Avro side of the serdes: which schema a Java value has, and writing it. */
public final class AvroDatums {
  private static final Schema NULL = Schema.create(Schema.Type.NULL);
  private static final Schema BOOLEAN = Schema.create(Schema.Type.BOOLEAN);
  private static final Schema INT = Schema.create(Schema.Type.INT);
  private static final Schema LONG = Schema.create(Schema.Type.LONG);
  private static final Schema FLOAT = Schema.create(Schema.Type.FLOAT);
  private static final Schema DOUBLE = Schema.create(Schema.Type.DOUBLE);
  private static final Schema STRING = Schema.create(Schema.Type.STRING);
  private static final Schema BYTES = Schema.create(Schema.Type.BYTES);

  private AvroDatums() {}

  /**
   * The schema of {@code value}: its own for Avro records, enums, fixed and arrays, the primitive type for Java
   * primitives, strings and byte arrays.
   *
   * @throws SerializationException for any other type
   */
  public static Schema schemaOf(Object value) {
    if (value instanceof GenericContainer) {
      return ((GenericContainer) value).getSchema();
    } else if (value == null) {
      return NULL;
    } else if (value instanceof CharSequence) {
      return STRING;
    } else if (value instanceof Long) {
      return LONG;
    } else if (value instanceof Integer) {
      return INT;
    } else if (value instanceof Double) {
      return DOUBLE;
    } else if (value instanceof Boolean) {
      return BOOLEAN;
    } else if (value instanceof byte[] || value instanceof ByteBuffer) {
      return BYTES;
    } else if (value instanceof Float) {
      return FLOAT;
    }
    throw new SerializationException("cannot serialize a " + value.getClass().getName() + " as Avro: the"
        + " serializer writes Avro records, enums, fixed and arrays (GenericContainer), booleans, ints, longs, floats,"
        + " doubles, strings and byte arrays");
  }

  /** Appends the Avro binary encoding of {@code value} under {@code schema} to {@code out}. */
  public static void write(Object value, Schema schema, ByteArrayOutputStream out) {
    Object datum = value instanceof byte[] ? ByteBuffer.wrap((byte[]) value) : value;
    DatumWriter<Object> writer = datum instanceof SpecificRecord ? new SpecificDatumWriter<>(schema)
        : new GenericDatumWriter<>(schema, GenericData.get());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(datum, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException("a value of schema " + schema.getFullName() + " does not match the schema: "
          + e.getMessage(), e);
    }
  }

  /**
   * {@code value}, of schema {@code from}, as a value of schema {@code to} by Avro's resolution rules (fields matched
   * by name, defaults filled in, promotions applied). The value is trusted local data, so Avro's own decoder suffices.
   *
   * @throws SerializationException when {@code to} cannot read data of {@code from}
   */
  public static Object convert(Object value, Schema from, Schema to) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    write(value, from, bytes);
    try {
      return new GenericDatumReader<>(from, to, GenericData.get())
          .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } catch (IOException | AvroRuntimeException e) {
      throw new SerializationException("a value of schema " + from.getFullName() + " cannot be written as schema "
          + to.getFullName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether every array item of data written with {@code schema} takes at least one byte, so that an item count
   * larger than the bytes that remain proves the data corrupt. Only arrays of nulls, of empty records and of
   * zero-size fixed (and records of those) can hold items of no bytes; map entries always carry a key.
   */
  public static boolean arrayItemsTakeBytes(Schema schema) {
    return !hasArrayOfEmptyItems(schema, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static boolean hasArrayOfEmptyItems(Schema schema, Set<Schema> visited) {
    if (!visited.add(schema)) {
      return false;
    }
    switch (schema.getType()) {
      case ARRAY:
        return canBeEmpty(schema.getElementType(), Collections.newSetFromMap(new IdentityHashMap<>()))
            || hasArrayOfEmptyItems(schema.getElementType(), visited);
      case MAP:
        return hasArrayOfEmptyItems(schema.getValueType(), visited);
      case RECORD:
        return schema.getFields().stream().anyMatch(field -> hasArrayOfEmptyItems(field.schema(), visited));
      case UNION:
        return schema.getTypes().stream().anyMatch(branch -> hasArrayOfEmptyItems(branch, visited));
      default:
        return false;
    }
  }

  /** Whether a value of {@code schema} can encode to no bytes at all. */
  private static boolean canBeEmpty(Schema schema, Set<Schema> inProgress) {
    switch (schema.getType()) {
      case NULL:
        return true;
      case FIXED:
        return schema.getFixedSize() == 0;
      case RECORD:
        // A record that contains itself without a union or collection in between could never be written at all.
        if (!inProgress.add(schema)) {
          return false;
        }
        boolean empty = schema.getFields().stream().allMatch(field -> canBeEmpty(field.schema(), inProgress));
        inProgress.remove(schema);
        return empty;
      default:
        return false; // every other type writes at least a length, count, index or value
    }
  }
}
