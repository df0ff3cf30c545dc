package dev.weft.worker.internal;

import java.util.BitSet;
import java.util.concurrent.ThreadFactory;

/**
 * Makes a worker's task threads, numbered from 1 to the pool's size: a thread that ends gives its number to the next
 * one made, so that the numbers stay 1..N and the dashboard's task stream keeps one row per thread. A task finds its
 * thread's number with {@link #current()}, a field read rather than a thread-local lookup.
 */
public final class TaskThreads implements ThreadFactory {
  private final String prefix;
  /** Numbers held by live threads; guarded by this. */
  private final BitSet taken = new BitSet();

  /** @param prefix the threads' names before their number, such as {@code weft-w1-task-} */
  public TaskThreads(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public synchronized Thread newThread(Runnable body) {
    int number = taken.nextClearBit(1);
    taken.set(number);
    Thread thread = new Numbered(() -> {
      try {
        body.run();
      } finally {
        release(number);
      }
    }, prefix + number, number);
    thread.setDaemon(true);
    return thread;
  }

  private synchronized void release(int number) {
    taken.clear(number);
  }

  /** The number of the calling task thread, from 1; 0 if it is not one. */
  public static int current() {
    return Thread.currentThread() instanceof Numbered numbered ? numbered.number : 0;
  }

  private static final class Numbered extends Thread {
    final int number;

    Numbered(Runnable body, String name, int number) {
      super(body, name);
      this.number = number;
    }
  }
}
