package dev.weft.function;

/**
 * The body of a registered function: it receives the task's arguments, with references replaced by the results they
 * name and list arguments turned into {@link java.util.List}s, and returns the task's result.
 *
 * <p>Functions must be safe to call from several threads at once and should be pure: a scheduler may run a task again
 * after a worker died, and the broker scheduler deduplicates results by task.
 */
@FunctionalInterface
public interface TaskFunction {
  Object apply(Object... args) throws Exception;
}
