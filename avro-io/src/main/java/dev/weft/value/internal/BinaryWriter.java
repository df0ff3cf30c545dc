package dev.weft.value.internal;

import dev.weft.value.ValueTooLargeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes Avro binary encoding (zig-zag varints, little-endian floats, length-prefixed bytes and strings) into a
 * growable buffer. Large byte values are not copied: they are kept as slices between the buffered parts, so a 16 MB
 * result goes from the task to a socket through {@link #writeTo(GatheringByteChannel)} without an intermediate copy.
 */
public final class BinaryWriter {
  /** Byte values at least this large are referenced, not copied. */
  static final int ZERO_COPY_THRESHOLD = 64 * 1024;

  private byte[] buffer;
  private int position;
  private int flushedUpTo;
  private List<ByteBuffer> parts;
  private long length;
  private long limit = Long.MAX_VALUE;

  public BinaryWriter() {
    this(256);
  }

  public BinaryWriter(int capacity) {
    buffer = new byte[Math.max(16, capacity)];
  }

  /** Forgets what was written, keeping the buffer. */
  public void reset() {
    if (parts != null) {
      // Parts may reference the old buffer; start a fresh one rather than overwrite bytes they point to.
      buffer = new byte[buffer.length];
      parts = null;
    }
    position = 0;
    flushedUpTo = 0;
    length = 0;
  }

  /**
   * Bounds what this writer takes: writing past {@code maxBytes} in all throws at once, and the buffer never grows
   * past it, so that a value too large to send is refused before it is encoded whole (and before the buffer doubles
   * on the way).
   */
  public BinaryWriter limitedTo(long maxBytes) {
    this.limit = maxBytes;
    return this;
  }

  private void ensure(int more) {
    if (position + more > buffer.length) {
      grow(more);
    } else if (limit != Long.MAX_VALUE) {
      // Room in the buffer is not room under the limit: referenced parts counted since it grew may have taken it.
      refuseOver(length() + more);
    }
  }

  private void grow(int more) {
    long needed = (long) position + more;
    refuseOver(length() + more);
    // Bytes of the buffer before flushedUpTo are counted in length already: the buffer may reach this position.
    long mostUseful = limit - length + flushedUpTo;
    long capacity = Math.max(needed, Math.min(buffer.length * 2L, mostUseful));
    if (capacity > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("encoded value of more than " + (Integer.MAX_VALUE - 8) + " bytes");
    }
    buffer = Arrays.copyOf(buffer, (int) capacity);
  }

  private void refuseOver(long total) {
    if (total > limit) {
      throw new ValueTooLargeException(limit);
    }
  }

  public void writeLong(long value) {
    ensure(10);
    long n = (value << 1) ^ (value >> 63);
    while ((n & ~0x7FL) != 0) {
      buffer[position++] = (byte) ((n & 0x7F) | 0x80);
      n >>>= 7;
    }
    buffer[position++] = (byte) n;
  }

  public void writeInt(int value) {
    writeLong(value);
  }

  public void writeBoolean(boolean value) {
    ensure(1);
    buffer[position++] = (byte) (value ? 1 : 0);
  }

  public void writeFloat(float value) {
    ensure(4);
    int bits = Float.floatToRawIntBits(value);
    for (int i = 0; i < 4; i++) {
      buffer[position++] = (byte) (bits >>> (8 * i));
    }
  }

  public void writeDouble(double value) {
    ensure(8);
    long bits = Double.doubleToRawLongBits(value);
    for (int i = 0; i < 8; i++) {
      buffer[position++] = (byte) (bits >>> (8 * i));
    }
  }

  public void writeString(String value) {
    // Strings are mostly ASCII: encode straight into the buffer, and fall back when a character is not.
    int chars = value.length();
    ensure(5 + chars);
    int start = position;
    boolean ascii = chars < 64;
    if (ascii) {
      position++;
      for (int i = 0; i < chars; i++) {
        char c = value.charAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        buffer[position++] = (byte) c;
      }
    }
    if (ascii) {
      buffer[start] = (byte) (chars << 1);
      return;
    }
    position = start;
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    writeLong(utf8.length);
    writeRaw(utf8, 0, utf8.length);
  }

  /** An Avro array of strings, in one block. */
  public void writeStrings(List<String> strings) {
    if (!strings.isEmpty()) {
      writeLong(strings.size());
      strings.forEach(this::writeString);
    }
    writeLong(0);
  }

  /** Writes {@code value}'s remaining bytes, length first; large values are referenced, not copied. */
  public void writeBytes(ByteBuffer value) {
    int size = value.remaining();
    writeLong(size);
    if (size >= ZERO_COPY_THRESHOLD) {
      refuseOver(length() + size);
      flushBuffered();
      parts.add(value.slice());
      length += size;
    } else if (value.hasArray()) {
      writeRaw(value.array(), value.arrayOffset() + value.position(), size);
    } else {
      ensure(size);
      value.duplicate().get(buffer, position, size);
      position += size;
    }
  }

  public void writeBytes(byte[] value) {
    writeBytes(ByteBuffer.wrap(value));
  }

  public void writeRaw(byte[] bytes, int offset, int count) {
    ensure(count);
    System.arraycopy(bytes, offset, buffer, position, count);
    position += count;
  }

  private void flushBuffered() {
    if (parts == null) {
      parts = new ArrayList<>();
    }
    if (position > flushedUpTo) {
      parts.add(ByteBuffer.wrap(buffer, flushedUpTo, position - flushedUpTo));
      length += position - flushedUpTo;
      flushedUpTo = position;
    }
  }

  /** Bytes written so far. */
  public long length() {
    return length + position - flushedUpTo;
  }

  /** What was written, as buffers to send in order. They stay valid until {@link #reset()}. */
  public ByteBuffer[] toBuffers() {
    if (parts == null) {
      return new ByteBuffer[] {ByteBuffer.wrap(buffer, 0, position)};
    }
    flushBuffered();
    ByteBuffer[] result = new ByteBuffer[parts.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = parts.get(i).duplicate();
    }
    return result;
  }

  /** What was written, as one array (a copy). */
  public byte[] toByteArray() {
    if (parts == null) {
      return Arrays.copyOf(buffer, position);
    }
    long total = length();
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("encoded value of " + total + " bytes does not fit an array");
    }
    ByteBuffer all = ByteBuffer.allocate((int) total);
    for (ByteBuffer part : toBuffers()) {
      all.put(part);
    }
    return all.array();
  }

  public void writeTo(OutputStream out) throws IOException {
    for (ByteBuffer part : toBuffers()) {
      if (part.hasArray()) {
        out.write(part.array(), part.arrayOffset() + part.position(), part.remaining());
      } else {
        byte[] copy = new byte[part.remaining()];
        part.get(copy);
        out.write(copy);
      }
    }
  }

  public void writeTo(GatheringByteChannel channel) throws IOException {
    ByteBuffer[] buffers = toBuffers();
    long remaining = 0;
    for (ByteBuffer b : buffers) {
      remaining += b.remaining();
    }
    while (remaining > 0) {
      remaining -= channel.write(buffers);
    }
  }
}
