package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.local.internal.CompletionQueue;
import dev.weft.local.internal.TaskRun;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The budget rule: about a millisecond of work queued to a busy worker, and only what fits its socket's buffer. */
class DispatcherTest {
  private static final ValueCodec VALUES = new ValueCodec();
  private final Object lock = new Object();
  private final AtomicLong ids = new AtomicLong();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<FrameChannel> peers = new ArrayList<>();

  @TempDir
  Path temp;

  @AfterEach
  void closeSockets() throws Exception {
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  @Test
  void aBusyWorkerIsSentAboutAMillisecondOfWork() {
    assertEquals(1, Dispatcher.depth(2_000_000), "slower tasks than the target: one at a time");
    assertEquals(1, Dispatcher.depth(1_000_000));
    assertEquals(2, Dispatcher.depth(500_000));
    assertEquals(10, Dispatcher.depth(100_000));
    assertEquals(Dispatcher.MAX_DEPTH, Dispatcher.depth(10_000), "tiny tasks: capped");
    assertEquals(Dispatcher.MAX_DEPTH, Dispatcher.depth(0));
  }

  @Test
  void aBusyWorkerIsSentOnlyWhatFitsItsSocketBuffer() {
    assertTrue(Dispatcher.canTake(0, 0, 10L << 20, 1), "an idle worker takes any frame: it is reading");
    assertTrue(Dispatcher.canTake(1, 1_000, 1_000, 2));
    assertFalse(Dispatcher.canTake(2, 1_000, 1_000, 2), "at its depth");
    assertTrue(Dispatcher.canTake(1, Dispatcher.PIPELINE_BYTES - 100, 100, 16));
    assertFalse(Dispatcher.canTake(1, Dispatcher.PIPELINE_BYTES - 100, 101, 16), "over the buffer");
  }

  @Test
  void tasksGoToTheLeastBusyWorkersInOrderAndAreWritten() throws IOException {
    WorkerProcess[] slots = {readyWorker(0), readyWorker(1)};
    Dispatcher dispatcher = new Dispatcher(lock, slots);
    List<Assignment> tasks = new ArrayList<>();
    synchronized (lock) {
      for (int i = 0; i < 5; i++) {
        tasks.add(enqueue(dispatcher, 1L));
      }
    }
    dispatcher.dispatch(); // before any task was measured: 0.5 ms each, so two to a worker

    assertEquals(List.of(tasks.get(0).id, tasks.get(2).id), receivedIds(0, 2));
    assertEquals(List.of(tasks.get(1).id, tasks.get(3).id), receivedIds(1, 2));
    synchronized (lock) {
      assertEquals(2, slots[0].outstandingCount());
      assertEquals(2, slots[1].outstandingCount());
      assertEquals(List.of(tasks.get(4)), dispatcher.removeAll());
    }
  }

  @Test
  void aLargeFrameWaitsForAnIdleWorkerAndWhatFollowsKeepsItsPlace() throws IOException {
    WorkerProcess[] slots = {readyWorker(0)};
    Dispatcher dispatcher = new Dispatcher(lock, slots);
    Assignment first;
    Assignment large;
    Assignment after;
    synchronized (lock) {
      for (int i = 0; i < 20; i++) {
        dispatcher.measured(1_000); // tiny tasks: depth is no limit here, bytes are
      }
      first = enqueue(dispatcher, 1L);
      large = enqueue(dispatcher, ByteBuffer.allocate((int) Dispatcher.PIPELINE_BYTES));
      after = enqueue(dispatcher, 2L);
    }
    dispatcher.dispatch();
    assertEquals(List.of(first.id), receivedIds(0, 1));
    synchronized (lock) {
      assertEquals(1, slots[0].outstandingCount(), "the large frame does not fit beside the first; the next waits too");
      slots[0].answered(first.id);
    }
    dispatcher.dispatch();
    assertEquals(List.of(large.id), receivedIds(0, 1), "idle, the worker takes the large frame");
    synchronized (lock) {
      assertEquals(1, slots[0].outstandingCount(), "the small one still does not fit beside it");
      assertEquals(List.of(after), dispatcher.removeAll());
    }
  }

  @Test
  void slowTasksAreNotQueuedBehindEachOther() throws IOException {
    WorkerProcess[] slots = {readyWorker(0)};
    Dispatcher dispatcher = new Dispatcher(lock, slots);
    Assignment second;
    synchronized (lock) {
      for (int i = 0; i < 50; i++) {
        dispatcher.measured(5_000_000);
      }
      enqueue(dispatcher, 1L);
      second = enqueue(dispatcher, 2L);
    }
    dispatcher.dispatch();
    synchronized (lock) {
      assertEquals(1, slots[0].outstandingCount());
      assertEquals(List.of(second), dispatcher.removeAll());
    }
  }

  @Test
  void cancelledTasksAreDroppedAndRequeuedOnesGoFirst() throws IOException {
    WorkerProcess[] slots = {readyWorker(0)};
    Dispatcher dispatcher = new Dispatcher(lock, slots);
    Assignment cancelled;
    Assignment later;
    Assignment requeued;
    synchronized (lock) {
      cancelled = enqueue(dispatcher, 1L);
      cancelled.run.cancel();
      later = enqueue(dispatcher, 2L);
      requeued = assignment(3L);
      dispatcher.requeueFirst(List.of(requeued));
    }
    dispatcher.dispatch();
    assertEquals(List.of(requeued.id, later.id), receivedIds(0, 2));
    synchronized (lock) {
      assertEquals(2, slots[0].outstandingCount(), "not the cancelled one");
    }
  }

  private Assignment assignment(Object argument) {
    TaskRun run = new TaskRun(0, "t" + ids.get(), "f", null, new Object[] {argument}, 1, false, null);
    Assignment assignment = new Assignment(ids.incrementAndGet(), run, NO_COMPLETIONS);
    assignment.encode(VALUES);
    return assignment;
  }

  private Assignment enqueue(Dispatcher dispatcher, Object argument) {
    Assignment assignment = assignment(argument);
    dispatcher.enqueue(assignment);
    return assignment;
  }

  /** A worker that said hello, over a real socket whose other end {@link #receivedIds} reads. */
  private WorkerProcess readyWorker(int id) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(temp.resolve("worker-" + id + ".sock")));
    opened.add(server);
    SocketChannel peer = SocketChannel.open(server.getLocalAddress());
    SocketChannel ours = server.accept();
    FrameChannel peerFrames = new FrameChannel(peer, 1 << 20);
    FrameChannel frames = new FrameChannel(ours, 1 << 20);
    opened.add(peerFrames);
    opened.add(frames);
    peers.add(peerFrames);
    WorkerProcess worker = new WorkerProcess(id, id, new FakeProcess(1000 + id, ""));
    worker.connected(frames);
    return worker;
  }

  private List<Long> receivedIds(int worker, int count) throws IOException {
    List<Long> received = new ArrayList<>();
    while (received.size() < count) {
      ByteBuffer frame = peers.get(worker).next(0, 10_000);
      received.add(WorkerProtocol.readRunTask(new BinaryReader(frame), VALUES).id());
    }
    return received;
  }

  private static final CompletionQueue NO_COMPLETIONS = new CompletionQueue() {
    @Override
    public void put(TaskRun run) {
      throw new AssertionError("nothing completes here");
    }

    @Override
    public TaskRun poll() {
      return null;
    }

    @Override
    public TaskRun take() {
      throw new AssertionError("nothing completes here");
    }
  };
}
