package dev.weft.value.internal;

import dev.weft.value.DecodeLimits;
import dev.weft.value.MalformedValueException;
import java.nio.ByteBuffer;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro {@link Decoder} over a {@link BinaryReader}: Avro's datum readers decode through it, and every length and
 * item count is checked before anything is allocated. Avro's own {@code BinaryDecoder} trusts a block count up to
 * 2^31 and allocates for it; this one refuses counts beyond the remaining input (when every item takes a byte, as in
 * Weft's schemas) and beyond the item budget of {@link DecodeLimits}.
 */
public final class BoundedDecoder extends Decoder {
  private final BinaryReader reader;
  private final boolean itemsTakeBytes;
  private final int maxDepth;
  private long itemBudget;
  private int depth;

  /**
   * @param itemsTakeBytes true when every array item and map entry of the schema encodes to at least one byte, so a
   *     count larger than the remaining input is certainly corrupt
   */
  public BoundedDecoder(BinaryReader reader, DecodeLimits limits, boolean itemsTakeBytes) {
    this.reader = reader;
    this.itemsTakeBytes = itemsTakeBytes;
    this.itemBudget = limits.maxCollectionItems();
    this.maxDepth = limits.maxDepth();
  }

  public BinaryReader reader() {
    return reader;
  }

  @Override
  public void readNull() {}

  @Override
  public boolean readBoolean() {
    return reader.readBoolean();
  }

  @Override
  public int readInt() {
    return reader.readInt();
  }

  @Override
  public long readLong() {
    return reader.readLong();
  }

  @Override
  public float readFloat() {
    return reader.readFloat();
  }

  @Override
  public double readDouble() {
    return reader.readDouble();
  }

  @Override
  public Utf8 readString(Utf8 old) {
    int length = reader.readLength("a string");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    reader.readFixed(result.getBytes(), 0, length);
    return result;
  }

  @Override
  public String readString() {
    return reader.readString();
  }

  @Override
  public void skipString() {
    reader.skip(reader.readLength("a string"));
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) {
    int length = reader.readLength("a bytes value");
    ByteBuffer result = old != null && old.capacity() >= length && !old.isReadOnly() ? old : ByteBuffer.allocate(length);
    result.clear();
    reader.readFixed(result.array(), result.arrayOffset(), length);
    result.limit(length);
    return result;
  }

  @Override
  public void skipBytes() {
    reader.skip(reader.readLength("a bytes value"));
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) {
    reader.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) {
    reader.skip(length);
  }

  @Override
  public int readEnum() {
    return reader.readInt();
  }

  @Override
  public long readArrayStart() {
    return enter(blockCount("array"));
  }

  @Override
  public long arrayNext() {
    return leaveIfDone(blockCount("array"));
  }

  @Override
  public long skipArray() {
    return skipBlocks();
  }

  @Override
  public long readMapStart() {
    return enter(blockCount("map"));
  }

  @Override
  public long mapNext() {
    return leaveIfDone(blockCount("map"));
  }

  @Override
  public long skipMap() {
    return skipBlocks();
  }

  @Override
  public int readIndex() {
    return reader.readInt();
  }

  /** Nesting is bounded so that a hostile message cannot overflow the stack of Avro's recursive readers. */
  private long enter(long count) {
    if (count > 0 && ++depth > maxDepth) {
      throw new MalformedValueException("arrays and maps nested deeper than " + maxDepth + " levels");
    }
    return count;
  }

  private long leaveIfDone(long count) {
    if (count == 0) {
      depth--;
    }
    return count;
  }

  private long blockCount(String what) {
    long count = reader.readLong();
    if (count < 0) {
      count = -count;
      reader.readLong(); // the block's size in bytes, which we do not need
    }
    return checked(count, what);
  }

  /** Skips whole blocks that carry their byte size; returns the count of the first block that does not. */
  private long skipBlocks() {
    while (true) {
      long count = reader.readLong();
      if (count >= 0) {
        return checked(count, "skipped");
      }
      long size = reader.readLong();
      if (size < 0 || size > reader.remaining()) {
        throw new MalformedValueException("block of " + size + " bytes, but only " + reader.remaining() + " remain");
      }
      reader.skip((int) size);
    }
  }

  private long checked(long count, String what) {
    if (count == Long.MIN_VALUE || (itemsTakeBytes && count > reader.remaining())) {
      throw new MalformedValueException(what + " block of " + count + " items, but only " + reader.remaining()
          + " bytes remain: truncated or corrupt");
    }
    itemBudget -= count;
    if (itemBudget < 0) {
      throw new MalformedValueException(what + " block of " + count + " items exceeds the item limit of this decode");
    }
    return count;
  }
}
