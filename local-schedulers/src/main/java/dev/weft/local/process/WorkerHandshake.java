package dev.weft.local.process;

import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where workers connect and say hello: a Unix domain socket in a folder only this user can enter, so nothing listens
 * on the network and no other user can hand a worker a task. A thread of its own accepts connections and reads each
 * one's first frame; a connection that does not open with a worker's hello in time is closed, and the rest are handed
 * on, not yet checked against the workers the pool started.
 */
final class WorkerHandshake implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerHandshake.class);
  /** Larger than {@link Dispatcher#PIPELINE_BYTES}, so that what is queued to a busy worker never makes a write wait. */
  static final int SEND_BUFFER_BYTES = 256 * 1024;

  /** Takes a connection that said hello; it owns the connection from then on. */
  interface Welcome {
    void accept(WorkerProtocol.Hello hello, FrameChannel frames);
  }

  private final Path socketDir;
  private final Path socketPath;
  private final ServerSocketChannel server;
  private final int maxFrameBytes;
  private final long helloTimeoutMillis;
  private final ValueCodec values;
  private final Welcome welcome;

  WorkerHandshake(int maxFrameBytes, long helloTimeoutMillis, ValueCodec values, Welcome welcome) {
    this.maxFrameBytes = maxFrameBytes;
    this.helloTimeoutMillis = helloTimeoutMillis;
    this.values = values;
    this.welcome = welcome;
    try {
      socketDir = Files.createTempDirectory(shortTempRoot(), "weft-pool-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      socketPath = socketDir.resolve("pool.sock");
      // A JVM that exits without closing the pool still removes them (files go first: reverse order of these).
      socketDir.toFile().deleteOnExit();
      socketPath.toFile().deleteOnExit();
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socketPath));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the process pool's socket", e);
    }
  }

  /** Unix socket paths are limited to about 100 bytes: prefer /tmp over a long java.io.tmpdir. */
  private static Path shortTempRoot() {
    Path tmp = Path.of("/tmp");
    return Files.isDirectory(tmp) && Files.isWritable(tmp) ? tmp : Path.of(System.getProperty("java.io.tmpdir"));
  }

  Path socketPath() {
    return socketPath;
  }

  /** Starts accepting, until {@link #close()}. */
  void start() {
    Thread acceptor = new Thread(this::acceptWorkers, "weft-pool-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptWorkers() {
    while (true) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      FrameChannel frames = null;
      try {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
        frames = new FrameChannel(channel, maxFrameBytes);
        ByteBuffer first = frames.next(0, helloTimeoutMillis);
        Object hello = first == null ? null : WorkerProtocol.readFromWorker(new BinaryReader(first), values);
        if (!(hello instanceof WorkerProtocol.Hello)) {
          LOG.warn("a connection to the process pool did not start with a worker's hello; closed it");
          FrameChannel.closeQuietly(frames); // its own selector too, not only the socket
          continue;
        }
        welcome.accept((WorkerProtocol.Hello) hello, frames);
      } catch (IOException | RuntimeException e) {
        LOG.warn("a worker's connection failed before its hello: {}", e.toString());
        FrameChannel.closeQuietly(frames != null ? frames : channel);
      }
    }
  }

  /** Stops accepting and removes the socket and its folder. */
  @Override
  public void close() {
    FrameChannel.closeQuietly(server);
    try {
      Files.deleteIfExists(socketPath);
      Files.deleteIfExists(socketDir);
    } catch (IOException e) {
      LOG.warn("could not remove the pool's socket folder {}: {}", socketDir, e.toString());
    }
  }
}
