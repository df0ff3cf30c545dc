package dev.weft.local.internal;

import java.util.ArrayDeque;

/**
 * Runs each task in the caller's thread, at the moment the loop hands it over: the sync scheduler. A breakpoint in a
 * task stops the caller, and the stack shows the compute that ran it.
 */
public final class InlineExecutor implements TaskExecutor {
  public static final InlineExecutor INSTANCE = new InlineExecutor();

  private InlineExecutor() {}

  @Override
  public void execute(TaskRun run, CompletionQueue completions) {
    run.invokeInline();
    completions.put(run);
  }

  @Override
  public CompletionQueue newCompletionQueue() {
    return new Inline();
  }

  @Override
  public int defaultMaxInFlight() {
    return 1;
  }

  /** Single-threaded: the run is already finished when it is put. */
  private static final class Inline implements CompletionQueue {
    private final ArrayDeque<TaskRun> finished = new ArrayDeque<>();

    @Override
    public void put(TaskRun run) {
      finished.add(run);
    }

    @Override
    public TaskRun poll() {
      return finished.poll();
    }

    @Override
    public TaskRun take() {
      TaskRun run = finished.poll();
      if (run == null) {
        throw new IllegalStateException("nothing in flight to wait for");
      }
      return run;
    }
  }
}
