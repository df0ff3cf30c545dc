package dev.weft.local.process;

import dev.weft.function.Signature;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** The worker's end of a pool's socket, played by a test: says what {@link WorkerMain} would, when told to. */
final class FakeWorker implements AutoCloseable {
  private static final long WAIT_MILLIS = 30_000;
  private final ValueCodec values = new ValueCodec();
  final FrameChannel frames;

  FakeWorker(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    frames = new FrameChannel(channel, 1 << 20);
  }

  void sayHello(int workerId, long pid, List<String> functions) throws IOException {
    BinaryWriter hello = new BinaryWriter(256);
    WorkerProtocol.writeHello(hello, workerId, pid, List.of("test-module"), functions,
        functions.stream().map(name -> Signature.ANY.toString()).toList());
    frames.write(hello);
  }

  WorkerProtocol.RunTask nextTask() throws IOException {
    ByteBuffer frame = frames.next(0, WAIT_MILLIS);
    if (frame == null) {
      throw new IOException("the pool closed the connection");
    }
    return WorkerProtocol.readRunTask(new BinaryReader(frame), values);
  }

  void answer(long taskId, Object value) throws IOException {
    BinaryWriter done = new BinaryWriter(64);
    WorkerProtocol.writeTaskDone(done, values, taskId, value, 0, 1_000);
    frames.write(done);
  }

  /** Whether the pool closed this connection: waits for the end of the stream, failing if a frame comes instead. */
  boolean closedByPool() throws IOException {
    return frames.next(0, WAIT_MILLIS) == null;
  }

  @Override
  public void close() throws IOException {
    frames.close();
  }
}
