package dev.weft.local.process;

import dev.weft.value.internal.BinaryWriter;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Length-prefixed frames over a non-blocking socket channel: a 4-byte big-endian length, then that many bytes.
 *
 * <p>Reads are buffered, so one system call brings in many small frames, and each frame is handed out as an array of
 * its own, so values decoded from it stay valid. A frame larger than the buffer is read straight into its own array,
 * across as many calls as it takes. Writes gather frames in one call, without copying large parts, and wait for the
 * socket only when its buffer is full.
 *
 * <p>One thread reads at a time (callers ensure it); writes are serialized here.
 */
final class FrameChannel implements AutoCloseable {
  private static final int READ_BUFFER = 64 * 1024;
  private static final int WRITE_WINDOW = 1 << 20;

  private final SocketChannel channel;
  private final int maxFrameBytes;
  private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER).flip();
  private final Object writeLock = new Object();
  private Selector readSelector;
  private Selector writeSelector;
  /** A frame larger than the buffer, partly read. */
  private ByteBuffer large;
  /** A frame larger than the buffer, read and not yet handed out. */
  private ByteBuffer completedLarge;

  FrameChannel(SocketChannel channel, int maxFrameBytes) throws IOException {
    this.channel = channel;
    this.maxFrameBytes = maxFrameBytes;
    channel.configureBlocking(false);
  }

  SocketChannel channel() {
    return channel;
  }

  /** The next complete frame already in memory, or null if completing one needs the socket. */
  ByteBuffer buffered() throws IOException {
    if (completedLarge != null) {
      ByteBuffer frame = completedLarge;
      completedLarge = null;
      return frame;
    }
    if (large != null) {
      return null;
    }
    if (in.remaining() < 4) {
      return null;
    }
    int length = in.getInt(in.position());
    checkLength(length);
    if (in.remaining() - 4 >= length) {
      in.getInt();
      byte[] frame = new byte[length];
      in.get(frame);
      return ByteBuffer.wrap(frame);
    }
    if (length + 4 > in.capacity()) {
      in.getInt();
      large = ByteBuffer.allocate(length);
      large.put(in);
    }
    return null;
  }

  /**
   * Reads what the socket has now, without waiting, and returns the frames it completes.
   *
   * @throws EOFException when the peer closed the connection
   */
  List<ByteBuffer> readAvailable() throws IOException {
    return read(false);
  }

  /**
   * As {@link #readAvailable()}, with one read call at most: for a reader that polls several sockets in turn and would
   * pay a second, empty call on each.
   */
  List<ByteBuffer> readOnceAvailable() throws IOException {
    return read(true);
  }

  private List<ByteBuffer> read(boolean once) throws IOException {
    List<ByteBuffer> frames = new ArrayList<>(4);
    while (true) {
      ByteBuffer frame;
      while ((frame = buffered()) != null) {
        frames.add(frame);
      }
      int read = readOnce();
      if (read < 0) {
        throw new EOFException(partial() ? "the connection closed inside a frame" : "the connection closed");
      }
      if (read == 0 || once) {
        while ((frame = buffered()) != null) {
          frames.add(frame);
        }
        return frames;
      }
    }
  }

  /**
   * Waits for the next frame: spins on the socket for up to {@code spinNanos}, since a busy peer answers sooner than a
   * parked thread wakes, then waits in a selector. Null at a clean end of stream.
   *
   * @throws EOFException if the stream ends inside a frame
   */
  ByteBuffer next(long spinNanos) throws IOException {
    return next(spinNanos, 0);
  }

  /**
   * As {@link #next(long)}, giving up after {@code timeoutMillis} (0: never).
   *
   * @throws java.net.SocketTimeoutException if no frame came in time
   */
  ByteBuffer next(long spinNanos, long timeoutMillis) throws IOException {
    long start = System.nanoTime();
    long deadline = start + spinNanos;
    while (true) {
      ByteBuffer frame = buffered();
      if (frame != null) {
        return frame;
      }
      int read = readOnce();
      if (read < 0) {
        if (partial()) {
          throw new EOFException("the connection closed inside a frame");
        }
        return null;
      }
      if (read == 0 && System.nanoTime() > deadline) {
        long waited = (System.nanoTime() - start) / 1_000_000;
        if (timeoutMillis > 0 && waited >= timeoutMillis) {
          throw new java.net.SocketTimeoutException("no frame within " + timeoutMillis + " ms");
        }
        awaitReadable(timeoutMillis > 0 ? timeoutMillis - waited : 0);
      }
    }
  }

  /** One non-blocking read into the large frame being filled, or into the buffer. */
  private int readOnce() throws IOException {
    if (large != null) {
      int read = channel.read(large);
      if (!large.hasRemaining()) {
        completedLarge = large.flip();
        large = null;
      }
      return read;
    }
    in.compact();
    try {
      return channel.read(in);
    } finally {
      in.flip();
    }
  }

  private boolean partial() {
    return large != null || in.hasRemaining();
  }

  private void awaitReadable(long timeoutMillis) throws IOException {
    if (readSelector == null) {
      readSelector = Selector.open();
      channel.register(readSelector, SelectionKey.OP_READ);
    }
    readSelector.select(timeoutMillis);
    readSelector.selectedKeys().clear();
  }

  private void checkLength(int length) throws IOException {
    if (length < 0 || length > maxFrameBytes) {
      throw new IOException("frame of " + Integer.toUnsignedString(length) + " bytes exceeds the limit of "
          + maxFrameBytes);
    }
  }

  /**
   * Writes frames, each the content of a writer, gathered into as few calls as the socket takes. Each call is given at
   * most {@link #WRITE_WINDOW} bytes: the JDK copies heap buffers into a direct buffer for every write call, and a
   * non-blocking write of a 16 MB value would otherwise copy all of what remains each time the socket takes 256 KB.
   */
  void write(List<BinaryWriter> bodies) throws IOException {
    List<ByteBuffer> parts = new ArrayList<>(bodies.size() * 2);
    for (BinaryWriter body : bodies) {
      long length = body.length();
      if (length > maxFrameBytes) {
        throw new IOException("frame of " + length + " bytes exceeds the limit of " + maxFrameBytes);
      }
      parts.add(ByteBuffer.allocate(4).putInt(0, (int) length));
      for (ByteBuffer part : body.toBuffers()) {
        parts.add(part);
      }
    }
    synchronized (writeLock) {
      int first = 0;
      List<ByteBuffer> window = new ArrayList<>();
      while (first < parts.size()) {
        window.clear();
        long windowBytes = 0;
        for (int i = first; i < parts.size() && windowBytes < WRITE_WINDOW; i++) {
          ByteBuffer part = parts.get(i);
          int take = (int) Math.min(part.remaining(), WRITE_WINDOW - windowBytes);
          ByteBuffer view = part.duplicate();
          view.limit(part.position() + take);
          window.add(view);
          windowBytes += take;
        }
        long written = channel.write(window.toArray(new ByteBuffer[0]));
        if (written == 0) {
          awaitWritable();
        }
        for (long left = written; left > 0; ) {
          ByteBuffer part = parts.get(first);
          int step = (int) Math.min(left, part.remaining());
          part.position(part.position() + step);
          left -= step;
          if (!part.hasRemaining()) {
            first++;
          }
        }
        while (first < parts.size() && !parts.get(first).hasRemaining()) {
          first++;
        }
      }
    }
  }

  void write(BinaryWriter body) throws IOException {
    write(List.of(body));
  }

  private void awaitWritable() throws IOException {
    if (writeSelector == null) {
      writeSelector = Selector.open();
      channel.register(writeSelector, SelectionKey.OP_WRITE);
    }
    writeSelector.select();
    writeSelector.selectedKeys().clear();
  }

  /** Closes a connection, or what watches one, that may already be broken: nothing is left to say about it then. */
  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already broken
    }
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      if (readSelector != null) {
        readSelector.close();
      }
      if (writeSelector != null) {
        writeSelector.close();
      }
    }
  }
}
