package dev.weft.diagnostics;

import dev.weft.scheduler.Callback;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A console progress bar, as Dask's {@code ProgressBar}: {@code [#########           ] | 45% Completed | 1.2s}.
 * A daemon thread redraws it every {@code interval} while the compute runs, so the elapsed time moves even while no
 * task finishes; the tasks themselves only bump a counter.
 *
 * <pre>{@code
 * Weft.compute(graph, ComputeOptions.defaults().callbacks(new ProgressBar()));
 * }</pre>
 */
public final class ProgressBar implements Callback {
  private static final int WIDTH = 40;

  private final PrintStream out;
  private final Duration interval;
  private volatile int done;
  private volatile int total;
  private volatile long startNanos;
  private Thread drawer;

  /** A bar on standard error, redrawn every 100 ms. */
  public ProgressBar() {
    this(System.err, Duration.ofMillis(100));
  }

  public ProgressBar(PrintStream out, Duration interval) {
    this.out = out;
    this.interval = interval;
  }

  @Override
  public void start(GraphRun run) {
    total = run.taskCount();
    done = 0;
    startNanos = System.nanoTime();
    drawer = new Thread(this::drawUntilInterrupted, "weft-progress-bar");
    drawer.setDaemon(true);
    drawer.start();
  }

  @Override
  @SuppressWarnings("NonAtomicOperationOnVolatileField") // only the scheduling thread writes
  public void posttask(GraphRun run, TaskEvent event) {
    done++;
  }

  @Override
  public void finish(GraphRun run, Throwable failure) {
    if (drawer != null) {
      drawer.interrupt();
      try {
        drawer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    draw();
    out.println(failure == null ? "" : " (failed: " + failure.getMessage() + ")");
    out.flush();
  }

  private void drawUntilInterrupted() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        draw();
        Thread.sleep(interval.toMillis());
      }
    } catch (InterruptedException e) {
      // finish() draws the last state
    }
  }

  private synchronized void draw() {
    out.print("\r" + render(done, total, System.nanoTime() - startNanos));
    out.flush();
  }

  /** One line of the bar; other front ends (the broker client's progress events) draw it too. */
  public static String render(int done, int total, long elapsedNanos) {
    double fraction = total == 0 ? 1.0 : (double) done / total;
    int filled = (int) (fraction * WIDTH);
    return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] | "
        + String.format(Locale.ROOT, "%3d%% Completed | %.1fs", (int) (fraction * 100), elapsedNanos / 1e9);
  }
}
