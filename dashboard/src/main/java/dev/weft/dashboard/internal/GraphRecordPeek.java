package dev.weft.dashboard.internal;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Tells a submission from a cancellation on the graphs topic from a record's first bytes, without decoding the graph
 * it carries (which may take megabytes): the view only needs to know that a graph was submitted, where, and when. A
 * {@link Deserializer}, so that the consumer never keeps a graph's bytes: every other topic's values pass as they are.
 *
 * <p>A {@code GraphCommand} body starts with its graph id (an Avro string: a zig-zag varint length, then the bytes) and
 * the index of its command's branch (0 submit, 1 cancel). Those two fields come first in every version of the schema:
 * Avro's evolution adds fields at the end of a record and branches at the end of a union.
 */
public final class GraphRecordPeek implements Deserializer<Object> {
  /** What a record of the graphs topic is. */
  public enum Kind { SUBMIT, CANCEL, UNREADABLE }

  private final String graphsTopic;
  private final ByteArrayDeserializer bytes = new ByteArrayDeserializer();

  public GraphRecordPeek(String graphsTopic) {
    this.graphsTopic = graphsTopic;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public Object deserialize(String topic, byte[] data) {
    return topic.equals(graphsTopic) ? kind(data) : bytes.deserialize(topic, data);
  }

  /** What {@code data}, the value of a graphs record in Confluent's wire format, holds. */
  public static Kind kind(byte[] data) {
    if (data == null || data.length < 6 || data[0] != 0) {
      return Kind.UNREADABLE;
    }
    int[] position = {5};
    long idLength = varint(data, position);
    if (idLength < 0 || idLength > data.length - position[0]) {
      return Kind.UNREADABLE;
    }
    position[0] += (int) idLength;
    long branch = varint(data, position);
    return branch == 0 ? Kind.SUBMIT : branch == 1 ? Kind.CANCEL : Kind.UNREADABLE;
  }

  /** Avro's zig-zag varint at {@code position}, moved past it; -1 when the bytes end first or it is too long. */
  private static long varint(byte[] data, int[] position) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position[0] >= data.length) {
        return -1;
      }
      byte b = data[position[0]++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (value >>> 1) ^ -(value & 1);
      }
    }
    return -1;
  }
}
