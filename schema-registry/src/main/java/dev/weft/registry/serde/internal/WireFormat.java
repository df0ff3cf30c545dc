package dev.weft.registry.serde.internal;

import java.io.ByteArrayOutputStream;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: a magic byte 0, the schema's registry id as a big-endian int32, then the Avro binary
 * encoding of the record under that schema.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
    out.write(MAGIC_BYTE);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
  }

  /**
   * The schema id of a record in the wire format.
   *
   * @throws SerializationException naming the problem, for data too short or with another magic byte
   */
  public static int schemaId(byte[] data, String topic) {
    if (data.length < HEADER_SIZE) {
      throw new SerializationException("truncated record on topic '" + topic + "': " + data.length + " bytes, but"
          + " the Confluent wire format needs at least " + HEADER_SIZE + " (a magic byte and a 4-byte schema id)");
    }
    if (data[0] != MAGIC_BYTE) {
      throw new SerializationException(String.format("unknown magic byte 0x%02X in a record on topic '%s': the"
          + " Confluent wire format starts with 0x00, so this record was not written by a schema-registry"
          + " serializer%s", data[0] & 0xFF, topic, hint(data)));
    }
    return ((data[1] & 0xFF) << 24) | ((data[2] & 0xFF) << 16) | ((data[3] & 0xFF) << 8) | (data[4] & 0xFF);
  }

  private static String hint(byte[] data) {
    if (data[0] == '{' || data[0] == '[' || data[0] == '"') {
      return " (it starts like JSON text)";
    }
    if (data[0] == (byte) 0xC3 && data[1] == 0x01) {
      return " (it starts like Avro's single-object encoding, C3 01)";
    }
    return "";
  }
}
