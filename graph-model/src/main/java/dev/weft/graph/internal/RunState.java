package dev.weft.graph.internal;

/**
 * The run state of one compute of an {@link ExecutionPlan}, shared by every scheduler: which tasks wait for inputs,
 * which are ready (in the plan's static order), which run and with which attempt, which are done. It holds no value
 * and no location: the local loop keeps values beside it, the broker's graph state result locations and pools.
 * Owned by one thread.
 *
 * <p>A task's legal transitions ({@link TaskState}): WAITING → READY when its last input is done; READY → RUNNING when
 * {@link #start()} takes it; RUNNING → RUNNING again with the next attempt when a failed attempt is retried
 * ({@link #retry}); RUNNING → DONE when an attempt succeeds. {@link #markDone} takes a task straight to DONE from
 * WAITING or READY: an input given by an earlier graph, or a result that a scheduler rebuilding the graph finds
 * already written. Anything else an attempt reports (a duplicate, a stale attempt, a task not running) is
 * {@link Outcome#IGNORED}: a result may arrive twice, late, or after the graph moved on. {@link #cancel()} ends the
 * run early: nothing starts after it, and every attempt that reports after it is ignored.
 */
public final class RunState {
  /** Where a task is; see the class comment for the legal transitions. */
  public enum TaskState {
    WAITING,
    READY,
    RUNNING,
    DONE;

    /** Whether a task may go from this state to {@code next}. */
    public boolean canBecome(TaskState next) {
      switch (this) {
        case WAITING:
          return next == READY || next == DONE;
        case READY:
          return next == RUNNING || next == DONE;
        case RUNNING:
          return next == RUNNING || next == DONE;
        default:
          return false;
      }
    }
  }

  /** What a finished attempt did. */
  public enum Outcome {
    /** Stale, repeated or unexpected: nothing changed. */
    IGNORED,
    /** The task is done; its dependents whose inputs are all done are ready. */
    DONE,
    /** The attempt failed and the task has retries left: the caller runs it again ({@link #retry}). */
    RETRY,
    /** The task failed for good. */
    FAILED
  }

  private static final TaskState[] STATES = TaskState.values();
  // The states as bytes, one per task, in the order of TaskState.
  private static final byte WAITING = 0;
  private static final byte READY = 1;
  private static final byte RUNNING = 2;
  private static final byte DONE = 3;

  private final ExecutionPlan plan;
  private final int[] waiting;
  private final byte[] state;
  private final int[] attempts;
  private final IntHeap ready;
  private int running;
  private int done;
  private boolean cancelled;

  /** Every task WAITING, or READY if it has no inputs. */
  public RunState(ExecutionPlan plan) {
    this.plan = plan;
    int size = plan.size();
    waiting = new int[size];
    state = new byte[size];
    attempts = new int[size];
    ready = new IntHeap(Math.min(size, 1024));
    for (int task = 0; task < size; task++) {
      waiting[task] = plan.dependencyCount(task);
      if (waiting[task] == 0) {
        state[task] = READY;
        ready.add(plan.rank(task));
      }
    }
  }

  public TaskState state(int task) {
    return STATES[state[task]];
  }

  /** Whether a task is ready to start. */
  public boolean hasReady() {
    if (cancelled) {
      return false;
    }
    // A task marked done while it was ready stays in the heap: it is passed over here.
    while (!ready.isEmpty() && state[plan.taskAtRank(ready.peek())] != READY) {
      ready.poll();
    }
    return !ready.isEmpty();
  }

  /** The ready task that {@link #start()} would take, left in place; {@link #hasReady()} must be true. */
  public int nextReady() {
    return plan.taskAtRank(ready.peek());
  }

  /**
   * Takes the first ready task in static order: it is RUNNING, with its next attempt ({@link #attempt}).
   *
   * @throws IllegalStateException if no task is ready
   */
  public int start() {
    if (cancelled) {
      throw new IllegalStateException("the run was cancelled");
    }
    while (!ready.isEmpty()) {
      int task = plan.taskAtRank(ready.poll());
      if (state[task] == READY) { // not one marked done while it waited in the heap
        state[task] = RUNNING;
        attempts[task]++;
        running++;
        return task;
      }
    }
    throw new IllegalStateException("no task is ready");
  }

  /**
   * Starts the next attempt of a task whose attempt failed with {@link Outcome#RETRY}; returns its number.
   *
   * @throws IllegalStateException if the task is not running
   */
  public int retry(int task) {
    require(task, TaskState.RUNNING);
    return ++attempts[task];
  }

  /** The number of the task's latest attempt, from 1; 0 if it never started. */
  public int attempt(int task) {
    return attempts[task];
  }

  /** Whether {@code attempt} is the task's latest and it runs: the one waited for. */
  public boolean isRunning(int task, int attempt) {
    return state[task] == RUNNING && attempts[task] == attempt;
  }

  /**
   * Applies the end of an attempt. A success of any attempt of a running task will do (even one given up on); a
   * failure counts only for the latest attempt, and is a {@link Outcome#RETRY} while retries are left and
   * {@code retriable}.
   *
   * @param retriable false for a failure that no retry may follow (the task took down the workers that ran it)
   */
  public Outcome finished(int task, int attempt, boolean succeeded, boolean retriable) {
    if (cancelled) {
      return Outcome.IGNORED; // the run ended: its tasks' late reports change nothing
    }
    if (state[task] != RUNNING) {
      return Outcome.IGNORED; // a duplicate (it ran twice), or a task this run did not start
    }
    if (succeeded) {
      running--;
      complete(task);
      return Outcome.DONE;
    }
    if (attempt != attempts[task]) {
      return Outcome.IGNORED; // a failure of an attempt already retried
    }
    return retriable && attempts[task] <= plan.task(task).retries() ? Outcome.RETRY : Outcome.FAILED;
  }

  /**
   * Takes a task that did not run here to DONE: an input from an earlier graph, or a task whose result was found
   * written (by another scheduler, before a takeover). Its dependents may become ready.
   *
   * @param attempt the attempt that made the result, if known (0 otherwise): later attempts number after it
   * @return false, changing nothing, if the task is running or done already, or the run was cancelled
   */
  public boolean markDone(int task, int attempt) {
    if (cancelled || state[task] == RUNNING || state[task] == DONE) {
      return false;
    }
    attempts[task] = Math.max(attempts[task], attempt);
    complete(task);
    return true;
  }

  /** Records that an attempt the caller did not start here happened (a takeover): later attempts number after it. */
  public void sawAttempt(int task, int attempt) {
    attempts[task] = Math.max(attempts[task], attempt);
  }

  /**
   * Ends the run before it completed (a task failed for good, the compute was cancelled, the graph ended): no task
   * starts after this, and every attempt that reports after it is {@link Outcome#IGNORED}. Tasks keep their states.
   *
   * @return the tasks that were running, for the caller to stop; none the second time
   */
  public int[] cancel() {
    if (cancelled) {
      return new int[0];
    }
    cancelled = true;
    int[] stop = new int[running];
    int found = 0;
    for (int task = 0; task < state.length && found < stop.length; task++) {
      if (state[task] == RUNNING) {
        stop[found++] = task;
      }
    }
    return stop;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  private void complete(int task) {
    state[task] = DONE;
    done++;
    for (int d = plan.dependentsStart(task); d < plan.dependentsEnd(task); d++) {
      int dependent = plan.dependentAt(d);
      if (--waiting[dependent] == 0 && state[dependent] == WAITING) {
        state[dependent] = READY;
        ready.add(plan.rank(dependent));
      }
    }
  }

  private void require(int task, TaskState expected) {
    if (state[task] != expected.ordinal()) { // the bytes follow TaskState's order
      throw new IllegalStateException("task '" + plan.key(task) + "' is " + state(task) + ", not " + expected);
    }
  }

  /** Tasks started and not done. */
  public int running() {
    return running;
  }

  public int done() {
    return done;
  }

  public int size() {
    return plan.size();
  }

  public boolean isComplete() {
    return done == plan.size();
  }
}
