package dev.weft.scheduler;

/**
 * A finished task, for {@link Callback#posttask}.
 *
 * @param key the task's key
 * @param function the function it ran
 * @param result its result
 * @param startNanos {@link System#nanoTime()} when the function was called, in the JVM that ran it
 * @param endNanos {@link System#nanoTime()} when it returned, in the same JVM
 * @param worker the thread or worker that ran it
 */
public record TaskEvent(String key, String function, Object result, long startNanos, long endNanos, String worker) {
  public long durationNanos() {
    return endNanos - startNanos;
  }
}
