package dev.weft.function.internal;

import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskContext;
import dev.weft.function.TaskFunction;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * One call of a task's function, and what came of it: the value it returned or what it threw. Every scheduler runs
 * functions through this class, so that a task fails the same way wherever it runs: an unknown function, an exception
 * or an Error of the function, and a result that cannot be sent back each fail the task, never the thread or the
 * worker that ran it.
 *
 * <p>Not final: the local schedulers' run of a task extends it, so that their hot path reaches the function through
 * no object or call more than it had.
 */
public class TaskInvocation {
  private Object result;
  private Throwable error;
  private long startNanos;
  private long endNanos;

  /**
   * Looks {@code function} up and calls it, timed.
   *
   * <p>A name the registry does not know, or a plugin jar that does not load while looking for it, fails the task as a
   * function that throws would: the worker that was sent it answers and lives on.
   */
  public final void invoke(TaskContext context, FunctionRegistry functions, String function, Object[] args) {
    TaskFunction body;
    try {
      body = functions.require(function);
    } catch (Throwable unknownOrUnloadable) {
      error = unknownOrUnloadable;
      return;
    }
    invoke(context, body, args, true);
  }

  /** Calls {@code function}; timed records when it started and ended, which costs two clock reads. */
  public final void invoke(TaskContext context, TaskFunction function, Object[] args, boolean timed) {
    if (timed) {
      startNanos = System.nanoTime();
    }
    try {
      result = context.call(function, args);
    } catch (Throwable t) { // an Error in a task fails the task, not the thread that ran it
      error = t;
    }
    if (timed) {
      endNanos = System.nanoTime();
    }
  }

  /**
   * Encodes the result to send it, bounded by {@code limit}. A result that cannot be sent (over the limit, or not a
   * value) fails this invocation instead, saying why: were the worker to throw, every worker the task went to next
   * would do the same.
   *
   * @param encode encodes the result, refusing it with a {@link dev.weft.value.ValueTooLargeException} as soon as it
   *     takes more than the bytes it is given; what it throws other than an {@link IllegalArgumentException} or
   *     {@link IllegalStateException} is not the result's fault, and propagates
   * @param length the bytes an encoding takes
   * @return the encoding, or null when the invocation failed
   */
  public final <T> T encodeResult(String taskKey, ResultLimit limit, LongFunction<T> encode, ToLongFunction<T> length) {
    if (error != null) {
      return null;
    }
    try {
      T encoded = encode.apply(limit.maxBytes());
      limit.check(length.applyAsLong(encoded));
      return encoded;
    } catch (IllegalArgumentException | IllegalStateException unsendable) {
      error = limit.refusal(taskKey, unsendable);
      return null;
    }
  }

  /** Records a failure that happened before the function could be called, or where it ran. */
  public void failed(Throwable cause) {
    error = cause;
  }

  /** Records the outcome of a call made elsewhere. */
  protected final void succeeded(Object value, long start, long end) {
    result = value;
    startNanos = start;
    endNanos = end;
  }

  public final boolean isFailed() {
    return error != null;
  }

  public final Object result() {
    return result;
  }

  public final Throwable error() {
    return error;
  }

  public final long startNanos() {
    return startNanos;
  }

  public final long endNanos() {
    return endNanos;
  }

  /** How long the function ran: 0 when it was not timed or not called. */
  public final long durationNanos() {
    return endNanos - startNanos;
  }
}
