package dev.weft.value.internal;

import dev.weft.value.MalformedValueException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads Avro binary encoding from a {@link ByteBuffer}, checking every length against the bytes that remain, so that
 * corrupt or hostile input fails with a message instead of allocating what it claims. Byte values are returned as
 * read-only slices of the input: no copy.
 */
public final class BinaryReader {
  private final ByteBuffer input;

  public BinaryReader(ByteBuffer input) {
    this.input = input.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  public BinaryReader(byte[] input) {
    this(ByteBuffer.wrap(input));
  }

  public int remaining() {
    return input.remaining();
  }

  public int position() {
    return input.position();
  }

  public long readLong() {
    long value = 0;
    int shift = 0;
    while (true) {
      if (!input.hasRemaining()) {
        throw truncated("a varint");
      }
      int b = input.get() & 0xFF;
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new MalformedValueException("malformed varint at byte " + input.position() + ": more than 10 bytes");
      }
    }
    return (value >>> 1) ^ -(value & 1);
  }

  public int readInt() {
    long value = readLong();
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new MalformedValueException("int out of range at byte " + input.position() + ": " + value);
    }
    return (int) value;
  }

  public boolean readBoolean() {
    if (!input.hasRemaining()) {
      throw truncated("a boolean");
    }
    byte b = input.get();
    if (b != 0 && b != 1) {
      throw new MalformedValueException("malformed boolean at byte " + (input.position() - 1) + ": " + b);
    }
    return b == 1;
  }

  public float readFloat() {
    need(4, "a float");
    return input.getFloat();
  }

  public double readDouble() {
    need(8, "a double");
    return input.getDouble();
  }

  /** Reads a length prefix and checks that so many bytes remain. */
  public int readLength(String what) {
    long length = readLong();
    if (length < 0) {
      throw new MalformedValueException("negative length " + length + " of " + what + " at byte " + input.position());
    }
    if (length > input.remaining()) {
      throw new MalformedValueException(what + " of " + length + " bytes, but only " + input.remaining()
          + " remain: truncated or corrupt");
    }
    return (int) length;
  }

  public String readString() {
    int length = readLength("a string");
    String value;
    if (input.hasArray()) {
      value = new String(input.array(), input.arrayOffset() + input.position(), length, StandardCharsets.UTF_8);
      input.position(input.position() + length);
    } else {
      byte[] bytes = new byte[length];
      input.get(bytes);
      value = new String(bytes, StandardCharsets.UTF_8);
    }
    return value;
  }

  /** The next bytes value as a read-only slice of the input. */
  public ByteBuffer readBytes() {
    int length = readLength("a bytes value");
    ByteBuffer slice = input.slice();
    slice.limit(length);
    input.position(input.position() + length);
    return slice.asReadOnlyBuffer();
  }

  /**
   * The count of the next block of an array or map (0 ends it), skipping a negative count's byte size. Every item
   * takes at least {@code minItemBytes}, so a count the remaining input cannot hold is refused before anything is
   * allocated for it.
   */
  public long readBlockCount(int minItemBytes) {
    long count = readLong();
    if (count < 0) {
      count = -count;
      readLong();
    }
    if (count < 0 || count > (long) input.remaining() / minItemBytes) {
      throw new MalformedValueException("block of " + count + " items, but only " + input.remaining()
          + " bytes remain: truncated or corrupt");
    }
    return count;
  }

  /** An Avro array of strings. */
  public java.util.List<String> readStrings() {
    java.util.List<String> strings = new java.util.ArrayList<>();
    for (long count = readBlockCount(1); count != 0; count = readBlockCount(1)) {
      for (long i = 0; i < count; i++) {
        strings.add(readString());
      }
    }
    return strings;
  }

  public void readFixed(byte[] target, int offset, int count) {
    need(count, "a fixed value");
    input.get(target, offset, count);
  }

  public void skip(int count) {
    need(count, "skipped bytes");
    input.position(input.position() + count);
  }

  private void need(int count, String what) {
    if (input.remaining() < count) {
      throw truncated(what);
    }
  }

  private MalformedValueException truncated(String what) {
    return new MalformedValueException("truncated input: " + what + " at byte " + input.position()
        + " runs past the end");
  }
}
