package dev.weft.connectors.files;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the lines of one {@link TextBlock} of a UTF-8 text file, plain or compressed, and hands them to a
 * {@link LineHandler} without their terminators ({@code "\n"} or {@code "\r\n"}; a lone {@code '\r'} is text).
 *
 * <p>Bytes are read in chunks that fit the CPU's cache, and each line becomes a string in one JDK call, whose ASCII
 * and UTF-8 paths are intrinsics: the search for newlines is the only pass of ours over the bytes. A line that is not
 * valid UTF-8 is an error naming the file, the line and the byte, never a string with replacement characters in it.
 */
final class LineScanner {
  /** Receives the lines of a block in order. */
  @FunctionalInterface
  interface LineHandler {
    /** @throws BadLineException if the line is not what the file should hold */
    void accept(String line);
  }

  /**
   * Receives the lines of a block as bytes, {@code bytes[from, to)}, valid only during the call: for a handler that
   * reads words out of lines without making a string of each line. {@code scanner.decode} gives a line as a string,
   * checked to be UTF-8.
   */
  @FunctionalInterface
  interface ByteLineHandler {
    void accept(LineScanner scanner, byte[] bytes, int from, int to);
  }

  private static final int MIN_CHUNK = 8 << 10;
  /** A chunk stays in the CPU's cache while its lines are cut: 256 KiB read an 8 MB file faster than 1 or 4 MiB. */
  private static final int MAX_CHUNK = 256 << 10;
  private static final int MAX_LINE = Integer.MAX_VALUE - 16; // the largest byte[] a JVM allocates
  private static final char REPLACEMENT = '\uFFFD';
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private final TextBlock block;
  private final InputStream in;
  private byte[] buffer;
  private int filled; // buffer[0, filled) holds bytes read
  private long bufferOffset; // the offset in the (decompressed) file of buffer[0]
  private boolean endOfFile;
  private long lines; // lines handed over so far
  private ByteLineHandler bytesHandler; // set: lines go to it as bytes, not as strings to the LineHandler

  private LineScanner(TextBlock block, InputStream in, long firstByte, int chunk) {
    this.block = block;
    this.in = in;
    this.buffer = new byte[chunk];
    this.bufferOffset = firstByte;
  }

  /**
   * Hands every line that {@code block} owns to {@code handler}, in order.
   *
   * @throws IllegalArgumentException for a line that is not UTF-8, or that {@code handler} refuses, naming the file
   *     and the line; or for a block of a compressed file that is not the whole file
   * @throws IOException if the file cannot be read, naming it
   */
  static void scan(TextBlock block, LineHandler handler) throws IOException {
    scan(block, handler, null);
  }

  /** As {@link #scan(TextBlock, LineHandler)}, handing over bytes instead of strings. */
  static void scanBytes(TextBlock block, ByteLineHandler handler) throws IOException {
    scan(block, null, handler);
  }

  private static void scan(TextBlock block, LineHandler handler, ByteLineHandler bytesHandler) throws IOException {
    Path file = block.file();
    Compression compression = Compression.of(file);
    if (!compression.splittable() && !block.isWhole()) {
      throw new IllegalArgumentException(block.path() + " is " + compression.label() + "-compressed, so it is read"
          + " whole (start 0, length -1), not from byte " + block.start() + " for " + block.length() + " bytes");
    }
    // A block after the first starts at the byte before its range: if that is a newline, a line starts at `start`.
    long firstByte = block.start() == 0 ? 0 : block.start() - 1;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        InputStream in = compression.decompress(Channels.newInputStream(channel.position(firstByte)))) {
      long expected = compression.splittable() ? Math.min(channel.size(), block.end()) - firstByte + 1 : MAX_CHUNK;
      int chunk = (int) Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, expected));
      LineScanner scanner = new LineScanner(block, in, firstByte, chunk);
      scanner.bytesHandler = bytesHandler;
      scanner.scan(handler);
    } catch (IOException e) {
      String message = e.getMessage();
      throw message != null && message.contains(block.path()) ? e
          : new IOException("cannot read " + block.path() + ": " + e, e);
    }
  }

  private void scan(LineHandler handler) throws IOException {
    int lineStart = block.start() == 0 ? 0 : skipPartialLine();
    int searchFrom = lineStart;
    while (lineStart >= 0 && bufferOffset + lineStart < block.end()) {
      int newline = indexOfNewline(searchFrom, filled);
      if (newline >= 0) {
        boolean crlf = newline > lineStart && buffer[newline - 1] == '\r';
        handOver(lineStart, crlf ? newline - 1 : newline, handler);
        lineStart = newline + 1;
        searchFrom = lineStart;
      } else if (endOfFile) {
        if (lineStart < filled) {
          handOver(lineStart, filled, handler);
        }
        return;
      } else {
        int partial = filled - lineStart;
        keepFrom(lineStart);
        lineStart = 0;
        searchFrom = partial;
        fill();
      }
    }
  }

  /** Reads up to the newline that ends the line under way at the block's first byte: the index after it, or -1. */
  private int skipPartialLine() throws IOException {
    while (true) {
      fill();
      int newline = indexOfNewline(0, filled);
      if (newline >= 0) {
        return newline + 1;
      }
      if (endOfFile) {
        return -1;
      }
      bufferOffset += filled; // the partial line belongs to the block before: drop it
      filled = 0;
    }
  }

  /**
   * The index of the first {@code '\n'} in {@code buffer[from, to)}, or -1. Eight bytes at a time: finding the newlines
   * is the one pass of ours over every byte, and a byte-at-a-time loop read an 8 MB file about 10% slower.
   */
  private int indexOfNewline(int from, int to) {
    byte[] bytes = buffer;
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      // A byte of `word` is 0 where a newline was. (x - 0x01..) & ~x & 0x80.. flags a zero byte; a borrow can flag a
      // byte above a zero byte too, never below one, so the lowest flag (the first byte, little-endian) is exact.
      long word = (long) LONGS.get(bytes, i) ^ NEWLINES;
      long zeros = (word - ONES) & ~word & HIGH_BITS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Reads once into the free end of the buffer. */
  private void fill() throws IOException {
    int read = in.read(buffer, filled, buffer.length - filled);
    if (read < 0) {
      endOfFile = true;
    } else {
      filled += read;
    }
  }

  /** Moves the line under way, {@code buffer[from, filled)}, to the start of the buffer, or of a larger one. */
  private void keepFrom(int from) {
    int partial = filled - from;
    byte[] target = buffer;
    if (partial > buffer.length / 2) {
      if (buffer.length >= MAX_LINE) {
        throw new IllegalArgumentException(where(lines + 1, from) + ": the line is longer than " + MAX_LINE
            + " bytes");
      }
      target = new byte[(int) Math.min(MAX_LINE, 2L * buffer.length)];
    }
    System.arraycopy(buffer, from, target, 0, partial);
    buffer = target;
    bufferOffset += from;
    filled = partial;
  }

  private void handOver(int from, int to, LineHandler handler) {
    lines++;
    if (bytesHandler != null) {
      bytesHandler.accept(this, buffer, from, to);
      return;
    }
    String line = decode(from, to);
    try {
      handler.accept(line);
    } catch (BadLineException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(where(lines, from) + ": " + e.getMessage(), cause);
    }
  }

  /** The line {@code buffer[from, to)} as a string; one that is not UTF-8 is an error naming the file and line. */
  String decode(int from, int to) {
    String line = new String(buffer, from, to - from, StandardCharsets.UTF_8);
    // The JDK replaces bad bytes by U+FFFD; the rare line with one in it is decoded again, strictly, to tell a bad
    // byte from a real U+FFFD. For an ASCII string indexOf answers without a scan.
    if (line.indexOf(REPLACEMENT) >= 0) {
      checkUtf8(from, to);
    }
    return line;
  }

  private void checkUtf8(int from, int to) {
    CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
    ByteBuffer bytes = ByteBuffer.wrap(buffer, from, to - from);
    CoderResult result = strict.decode(bytes, CharBuffer.allocate(to - from), true);
    if (result.isError()) {
      long bad = bufferOffset + bytes.position();
      String file = Compression.of(block.file()).splittable() ? "file" : "decompressed file";
      throw new IllegalArgumentException(where(lines, from) + ": not UTF-8: a malformed sequence of "
          + result.length() + " byte" + (result.length() == 1 ? "" : "s") + " at byte " + (bytes.position() - from)
          + " of the line (byte " + bad + " of the " + file + ")");
    }
  }

  /**
   * Where line {@code number}, starting at {@code buffer[from]}, is: its number, exact for a block at the start of the
   * file; for a later block, whose first line's number is unknown without reading what comes before, counted from the
   * block's start, with the line's byte offset in the file.
   */
  private String where(long number, int from) {
    if (block.start() == 0) {
      return block.path() + " line " + number;
    }
    return block.path() + " line " + number + " counted from the block at byte " + block.start()
        + " (the line starts at byte " + (bufferOffset + from) + ")";
  }
}
