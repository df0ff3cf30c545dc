package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A worker's hello on the pool's socket, and the connections that are not a worker's. */
class WorkerHandshakeTest {
  private final CompletableFuture<WorkerProtocol.Hello> welcomed = new CompletableFuture<>();
  private WorkerHandshake handshake;

  private WorkerHandshake start(long helloTimeoutMillis) {
    handshake = new WorkerHandshake(1 << 20, helloTimeoutMillis, new ValueCodec(), (hello, frames) -> {
      FrameChannel.closeQuietly(frames);
      welcomed.complete(hello);
    });
    handshake.start();
    return handshake;
  }

  @AfterEach
  void close() {
    if (handshake != null) {
      handshake.close();
    }
  }

  @Test
  void aWorkersHelloIsHandedOn() throws Exception {
    start(30_000);
    try (FakeWorker worker = new FakeWorker(handshake.socketPath())) {
      worker.sayHello(4, 12345L, List.of("inc", "add"));
      WorkerProtocol.Hello hello = welcomed.get(30, TimeUnit.SECONDS);
      assertEquals(4, hello.worker());
      assertEquals(12345L, hello.pid());
      assertEquals(List.of("inc", "add"), hello.functions());
    }
  }

  @Test
  void aConnectionThatOpensWithAnythingElseIsClosed() throws Exception {
    start(30_000);
    try (FakeWorker stranger = new FakeWorker(handshake.socketPath())) {
      BinaryWriter notHello = new BinaryWriter(64);
      WorkerProtocol.writeTaskFailed(notHello, 1, "x", "not a hello", "");
      stranger.frames.write(notHello);
      assertTrue(stranger.closedByPool());
    }
    assertFalse(welcomed.isDone());
  }

  @Test
  void aConnectionThatSaysNothingIsClosedAfterTheTimeout() throws Exception {
    start(50);
    try (FakeWorker silent = new FakeWorker(handshake.socketPath())) {
      assertTrue(silent.closedByPool());
    }
    // and the acceptor goes on: a worker after it is still welcomed
    try (FakeWorker worker = new FakeWorker(handshake.socketPath())) {
      worker.sayHello(0, 1L, List.of());
      assertEquals(0, welcomed.get(30, TimeUnit.SECONDS).worker());
    }
  }

  @Test
  void closingRemovesTheSocketAndItsPrivateFolder() throws Exception {
    Path socket = start(30_000).socketPath();
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(socket.getParent())));
    handshake.close();
    assertFalse(Files.exists(socket));
    assertFalse(Files.exists(socket.getParent()));
  }
}
