package dev.weft.local.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Drains a worker's standard output or error, so that a task's printing can neither block the worker nor reach the
 * protocol (which has a socket of its own). Lines go on to the caller's standard error, marked with the worker; the last
 * few are kept to explain a worker's death.
 */
final class OutputTail {
  private static final int KEPT_LINES = 8;
  private static final int MAX_LINE = 500;

  private final Deque<String> last = new ArrayDeque<>();
  private final List<Thread> pumps = new ArrayList<>();

  void drain(InputStream stream, String prefix, PrintStream forward, String threadName) {
    Thread pump = new Thread(() -> {
      try (Reader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        // Lines are read by hand and cut at MAX_LINE: a task that prints gigabytes without a newline must not grow
        // the caller's heap.
        StringBuilder line = new StringBuilder();
        boolean cut = false;
        for (int c; (c = in.read()) >= 0; ) {
          if (c == '\n') {
            String shown = cut ? line + "..." : line.toString();
            remember(shown);
            forward.println(prefix + shown);
            line.setLength(0);
            cut = false;
          } else if (line.length() < MAX_LINE) {
            line.append((char) c);
          } else {
            cut = true;
          }
        }
      } catch (IOException e) {
        // The worker is gone; its pipe closed under us. Nothing is lost that it printed before.
      }
    }, threadName);
    pump.setDaemon(true);
    pump.start();
    synchronized (this) {
      pumps.add(pump);
    }
  }

  /** Waits, briefly, until the pipes reached their end: after the process exited, its last words are then kept. */
  void awaitDrained(long millis) {
    List<Thread> all;
    synchronized (this) {
      all = new ArrayList<>(pumps);
    }
    long deadline = System.nanoTime() + millis * 1_000_000;
    for (Thread pump : all) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return;
      }
      try {
        pump.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private synchronized void remember(String line) {
    if (last.size() == KEPT_LINES) {
      last.removeFirst();
    }
    last.addLast(line);
  }

  /** The last lines, oldest first, joined by " | "; empty if none. */
  synchronized String lastLines() {
    return String.join(" | ", last);
  }
}
