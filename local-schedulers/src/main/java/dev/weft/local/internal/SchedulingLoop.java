package dev.weft.local.internal;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.TaskContext;
import dev.weft.graph.internal.ExecutionPlan;
import dev.weft.graph.internal.RunState;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.TaskEvent;
import dev.weft.scheduler.TaskFailedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The one scheduling loop of the local schedulers, after {@code dask.local.get_async}. All state belongs to the
 * calling thread: which tasks wait, are ready (in the plan's static order), run or are done is the {@link RunState}
 * every scheduler shares, and this loop keeps the values beside it; up to {@code maxInFlight} ready tasks are
 * handed to the executor; finished runs come back through a completion queue; each result is dropped as soon as the
 * last task that reads it has run (outputs are kept). The first failure (after retries) cancels what is in flight and
 * ends the compute with a {@link TaskFailedException}.
 */
public final class SchedulingLoop {
  private final ExecutionPlan plan;
  private final TaskExecutor executor;
  private final int maxInFlight;
  private final List<Callback> callbacks;
  private final GraphRun run;

  private final Object[] results;
  private final int[] unreadBy;
  private final RunState state;
  /** Runs in flight by task, to cancel them on failure; null for the sync executor, which never leaves any. */
  private final TaskRun[] inFlight;
  /** In this JVM results pass by reference: no encoding limits them. */
  private final TaskContext context;
  /** Whether results may be handles of values kept elsewhere, which the executor must be told to release. */
  private final boolean releases;

  /** @param functions the functions tasks resolve other functions from ({@link TaskContext#functions()}) */
  public SchedulingLoop(ExecutionPlan plan, TaskExecutor executor, int maxInFlight, List<Callback> callbacks,
      GraphRun run, FunctionCatalog functions) {
    this.plan = plan;
    this.executor = executor;
    this.maxInFlight = Math.max(1, maxInFlight);
    this.callbacks = callbacks;
    this.run = run;
    int size = plan.size();
    this.results = new Object[size];
    this.unreadBy = new int[size];
    this.state = new RunState(plan);
    this.inFlight = executor == InlineExecutor.INSTANCE ? null : new TaskRun[size];
    this.context = new TaskContext(run.scheduler(), Long.MAX_VALUE, null, functions);
    this.releases = executor.keepsValuesElsewhere();
  }

  /** Runs the plan to the end and returns each output's value, in the order the keys were asked. */
  public Map<String, Object> run() {
    int size = plan.size();
    for (int task = 0; task < size; task++) {
      for (int r = plan.referencesStart(task); r < plan.referencesEnd(task); r++) {
        unreadBy[plan.referenceAt(r)]++;
      }
    }
    CompletionQueue completions = executor.newCompletionQueue();
    boolean timed = !callbacks.isEmpty();
    // As Dask: a callback whose start threw, and those after it, are not started, nor finished; the compute fails.
    List<Callback> started = new ArrayList<>(callbacks.size());
    Throwable failure = null;
    try {
      for (Callback callback : callbacks) {
        callback.start(run);
        started.add(callback);
      }
      while (!state.isComplete()) {
        while (state.running() < maxInFlight && state.hasReady()) {
          int task = state.start();
          submit(task, state.attempt(task), timed, completions);
        }
        TaskRun done = completions.take();
        do {
          if (inFlight != null) {
            inFlight[done.task] = null;
          }
          RunState.Outcome outcome = state.finished(done.task, done.attempt, !done.isFailed(), true);
          if (outcome == RunState.Outcome.RETRY) {
            submit(done.task, state.retry(done.task), timed, completions);
          } else if (outcome == RunState.Outcome.FAILED) {
            throw failed(done);
          } else if (outcome == RunState.Outcome.DONE) {
            finish(done); // its dependents are ready in the state; they start once its value is kept here
          } else {
            throw new IllegalStateException("task '" + done.key + "' ended attempt " + done.attempt
                + " twice, or without running");
          }
        } while ((done = completions.poll()) != null);
      }
      return outputs();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException cancelled = new CancellationException("compute interrupted");
      cancelled.initCause(e);
      failure = cancelled;
      throw cancelled;
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      if (failure != null && inFlight != null) {
        cancelInFlight();
      }
      if (releases) {
        releaseAll(); // what workers keep for this compute goes with it, however it ended
        releaseUnread(completions);
      }
      for (Callback callback : started) {
        callback.finish(run, failure);
      }
    }
  }

  private void submit(int task, int attempt, boolean timed, CompletionQueue completions) {
    String key = plan.key(task);
    for (Callback callback : callbacks) {
      callback.pretask(run, key);
    }
    TaskRun taskRun = new TaskRun(task, key, plan.task(task).function(), plan.function(task),
        plan.arguments(task, results), attempt, timed, context, timed || plan.isOutput(task));
    if (inFlight != null) {
      inFlight[task] = taskRun;
    }
    executor.execute(taskRun, completions);
  }

  /** Ends the run in the state, and stops what it still runs. */
  private void cancelInFlight() {
    List<TaskRun> running = new ArrayList<>();
    for (int task : state.cancel()) {
      if (inFlight[task] != null) { // null: its attempt came back, the one that failed the run, say
        running.add(inFlight[task]);
      }
    }
    if (!running.isEmpty()) {
      executor.cancel(running);
    }
  }

  private void finish(TaskRun done) {
    int task = done.task;
    results[task] = done.result();
    if (!callbacks.isEmpty()) {
      TaskEvent event = new TaskEvent(done.key, done.functionName, done.result(), done.startNanos(),
          done.endNanos(), done.worker());
      for (Callback callback : callbacks) {
        callback.posttask(run, event);
      }
    }
    for (int r = plan.referencesStart(task); r < plan.referencesEnd(task); r++) {
      int input = plan.referenceAt(r);
      if (--unreadBy[input] == 0 && !plan.isOutput(input)) {
        if (releases && results[input] != null) {
          executor.release(results[input]);
        }
        results[input] = null;
      }
    }
  }

  /**
   * Releases what runs that came back unread kept in workers: behind the failure that ended the compute, or finished
   * while it was being cancelled. (One that comes back after this sees its run cancelled, and its executor drops it.)
   */
  private void releaseUnread(CompletionQueue completions) {
    for (TaskRun late; (late = completions.poll()) != null; ) {
      if (!late.isFailed() && late.result() != null) {
        executor.release(late.result());
      }
    }
  }

  private void releaseAll() {
    for (int task = 0; task < results.length; task++) {
      if (results[task] != null) {
        executor.release(results[task]);
        if (!plan.isOutput(task)) {
          results[task] = null;
        }
      }
    }
  }

  private TaskFailedException failed(TaskRun done) {
    return new TaskFailedException(done.key, done.functionName, done.attempt, done.failureDetail(), done.error());
  }

  private Map<String, Object> outputs() {
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> keys = plan.outputKeys();
    int[] outputs = plan.outputs();
    for (int i = 0; i < outputs.length; i++) {
      values.put(keys.get(i), results[outputs[i]]);
    }
    return values;
  }
}
