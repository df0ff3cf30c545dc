package dev.weft.broker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The one shutdown rule of Weft's poll threads: what is taken again, what stops the loop, and who finishes. */
class PollLoopTest {

  /** A body whose turns do what {@code turn} says for the turn's number, and that records who finished it. */
  private static final class Recorder implements PollLoop.Body {
    final AtomicInteger turns = new AtomicInteger();
    final List<String> finishedOn = new CopyOnWriteArrayList<>();
    final CountDownLatch finished = new CountDownLatch(1);
    final IntConsumer turn;

    Recorder(IntConsumer turn) {
      this.turn = turn;
    }

    @Override
    public void turn() {
      turn.accept(turns.incrementAndGet());
    }

    @Override
    public void finish() {
      finishedOn.add(Thread.currentThread().getName());
      finished.countDown();
    }
  }

  private static PollLoop loop(Recorder body) {
    return new PollLoop("test-loop", LoggerFactory.getLogger(PollLoopTest.class), body).daemon();
  }

  @Test
  void turnsThatMeetAnOutageOrARebalanceAreTakenAgainAndTheLoopGoesOn() throws InterruptedException {
    CountDownLatch fourthTurn = new CountDownLatch(1);
    Recorder body = new Recorder(turn -> {
      switch (turn) {
        case 1 -> throw new TimeoutException("the broker is away");
        case 2 -> throw new RebalanceInProgressException("the group moves");
        case 3 -> throw new CommitFailedException("the group moved on");
        case 4 -> fourthTurn.countDown();
        default -> { }
      }
    });
    PollLoop loop = loop(body).start();
    assertTrue(fourthTurn.await(30, TimeUnit.SECONDS), "turns after three that failed for a while");
    assertTrue(loop.isRunning());
    assertNull(loop.failure());
    loop.close(Duration.ofSeconds(30));
    assertFalse(loop.isRunning());
    assertEquals(List.of("test-loop"), body.finishedOn, "finished once, on the loop's own thread");
  }

  @Test
  void anyOtherErrorStopsTheLoopSaysWhyAndStillFinishes() throws InterruptedException {
    IllegalStateException bug = new IllegalStateException("a bug");
    Recorder body = new Recorder(turn -> {
      throw bug;
    });
    PollLoop loop = loop(body).start();
    loop.join();
    assertSame(bug, loop.failure());
    assertEquals(1, body.turns.get(), "not taken again");
    assertEquals(List.of("test-loop"), body.finishedOn);
  }

  @Test
  void anErrorAnotherThreadFindsStopsTheLoopAndIsTheOneReported() throws InterruptedException {
    Recorder body = new Recorder(turn -> { });
    PollLoop loop = loop(body).start();
    IllegalStateException found = new IllegalStateException("a task thread cannot go on");
    loop.fail(found);
    loop.fail(new IllegalStateException("a later one"));
    loop.join();
    assertSame(found, loop.failure());
    assertEquals(List.of("test-loop"), body.finishedOn);
  }

  @Test
  void closingFromATurnEndsTheLoopAfterIt() throws InterruptedException {
    PollLoop[] self = new PollLoop[1];
    Recorder body = new Recorder(turn -> self[0].close());
    self[0] = loop(body);
    self[0].start().join();
    assertEquals(1, body.turns.get());
    assertNull(self[0].failure());
    assertEquals(1, body.finishedOn.size());
  }
}
