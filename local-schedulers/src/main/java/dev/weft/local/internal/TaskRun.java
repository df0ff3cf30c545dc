package dev.weft.local.internal;

import dev.weft.function.TaskContext;
import dev.weft.function.TaskFunction;
import dev.weft.function.internal.TaskInvocation;

/**
 * One attempt at one task, as it travels from the scheduling loop to an executor and back through a
 * {@link CompletionQueue}. The loop fills the inputs; the executor fills the outcome; the queue hands it back, which
 * publishes the outcome to the loop's thread.
 */
public final class TaskRun extends TaskInvocation {
  /** The task's number in the plan. */
  public final int task;
  public final String key;
  public final String functionName;
  /** The resolved function, or null for executors that resolve it elsewhere (worker JVMs). */
  public final TaskFunction function;
  /** The arguments, until the function returned: a finished run must not keep its inputs alive. */
  private Object[] args;
  /** 1 for the first attempt. */
  public final int attempt;
  /** Whether to record start and end times (only when callbacks listen). */
  public final boolean timed;
  /**
   * Whether the loop needs the value itself (an output, or a result callbacks see): an executor must not keep it
   * where the task ran.
   */
  public final boolean valueNeededHere;
  /** Where the task runs, as the function may ask. */
  private final TaskContext context;

  private String failureDetail;
  private String worker;
  private volatile boolean cancelled;
  private Thread runner;

  public TaskRun(int task, String key, String functionName, TaskFunction function, Object[] args, int attempt,
      boolean timed, TaskContext context) {
    this(task, key, functionName, function, args, attempt, timed, context, true);
  }

  public TaskRun(int task, String key, String functionName, TaskFunction function, Object[] args, int attempt,
      boolean timed, TaskContext context, boolean valueNeededHere) {
    this.valueNeededHere = valueNeededHere;
    this.context = context;
    this.task = task;
    this.key = key;
    this.functionName = functionName;
    this.function = function;
    this.args = args;
    this.attempt = attempt;
    this.timed = timed;
  }
  /** The arguments to send to where the function runs; null once it ran here. */
  public Object[] args() {
    return args;
  }


  /** Calls the function on the current thread, which nothing else can interrupt: the sync scheduler's case. */
  public void invokeInline() {
    apply(Thread.currentThread());
  }

  /**
   * Calls the function on the current thread, a pool's, where {@link #cancel()} may interrupt it.
   *
   * @return false if the run was cancelled before it started, and so has no outcome
   */
  public boolean invokeHere() {
    if (cancelled) {
      return false;
    }
    Thread self = Thread.currentThread();
    synchronized (this) {
      if (cancelled) {
        return false; // cancelled between the check above and here: the interrupt would have missed it
      }
      runner = self;
    }
    try {
      apply(self);
    } finally {
      synchronized (this) {
        runner = null;
        if (cancelled) {
          Thread.interrupted(); // our cancel's interrupt must not leak into the thread's next task
        }
      }
    }
    return true;
  }

  private void apply(Thread self) {
    if (timed) {
      worker = self.getName();
    }
    invoke(context, function, args, timed); // throws nothing: what the function throws is the run's error
    // The loop released the inputs it held once this task was done; the thread that ran it may hold this run a while
    // longer (descheduled before it takes its next task), and must not hold the inputs with it.
    args = null;
  }

  public void succeeded(Object value, long start, long end, String where) {
    succeeded(value, start, end);
    this.worker = where;
  }

  /**
   * Records a failure.
   *
   * @param detail what happened, when it is more than the exception says (say, "worker 3 died with exit code 137");
   *     may be null
   */
  public void failed(Throwable cause, String detail) {
    failed(cause);
    this.failureDetail = detail;
  }

  /**
   * Asks the run to stop: one that has not started will not start, one that runs on a thread of this JVM is
   * interrupted. The interrupt is delivered only while the function of this run is on the stack, never to whatever the
   * thread runs next.
   */
  public void cancel() {
    cancelled = true;
    synchronized (this) {
      if (runner != null) {
        runner.interrupt();
      }
    }
  }

  public boolean isCancelled() {
    return cancelled;
  }

  public String failureDetail() {
    return failureDetail;
  }

  public String worker() {
    return worker;
  }
}
