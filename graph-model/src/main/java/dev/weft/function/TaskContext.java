package dev.weft.function;

/**
 * What a running task may know of where it runs: its scheduler, and how large a result that scheduler can carry. Every scheduler calls functions through {@link #call}, so {@link #current()} is the task's context on the
 * thread that runs it, and null on any other thread (outside a task).
 *
 * <p>Schedulers use it too: a compute started while a task runs on this thread is a nested compute (it gets a pool of
 * its own, and not the global or scoped callbacks).
 */
public final class TaskContext {
  /** A one-slot holder per thread: a call sets and restores the slot, with one thread-local lookup. */
  private static final ThreadLocal<TaskContext[]> CURRENT = ThreadLocal.withInitial(() -> new TaskContext[1]);

  private final String scheduler;
  private final long maxResultBytes;
  private final String limitSource;
  private final FunctionCatalog functions;

  /**
   * @param maxResultBytes the largest result the scheduler can carry, encoded ({@code Long.MAX_VALUE} when it passes
   *     results by reference)
   */
  public TaskContext(String scheduler, long maxResultBytes) {
    this(scheduler, maxResultBytes, null);
  }

  /** @param limitSource what sets {@code maxResultBytes}, for messages: the setting that raises it */
  public TaskContext(String scheduler, long maxResultBytes, String limitSource) {
    this(scheduler, maxResultBytes, limitSource, null);
  }

  /**
   * @param functions the functions the scheduler resolved the task's function from; null for this JVM's global
   *     registry
   */
  public TaskContext(String scheduler, long maxResultBytes, String limitSource, FunctionCatalog functions) {
    this.scheduler = scheduler;
    this.maxResultBytes = maxResultBytes;
    this.limitSource = limitSource;
    this.functions = functions;
  }

  /**
   * The functions of the JVM that runs the task, as its scheduler resolves them: a function that calls others by name
   * (a fused chain, a bag's {@code map}) looks them up here, so that it finds what a per-compute registry holds.
   */
  public FunctionCatalog functions() {
    return functions != null ? functions : FunctionRegistry.global();
  }

  /** The context of the task running on this thread, or null. */
  public static TaskContext current() {
    return CURRENT.get()[0];
  }

  /** The functions of the task running on this thread ({@link #functions()}), or this JVM's global registry. */
  public static FunctionCatalog currentFunctions() {
    TaskContext context = current();
    return context != null ? context.functions() : FunctionRegistry.global();
  }

  /**
   * This context without its result limit: for a step of a fused task whose result goes to the next step, not to
   * the scheduler, so that it is not refused for a size only the task's own result must keep.
   */
  public TaskContext withoutResultLimit() {
    return maxResultBytes == Long.MAX_VALUE ? this : new TaskContext(scheduler, Long.MAX_VALUE, null, functions);
  }

  /** The name of the scheduler that runs the task: {@code sync}, {@code threads}, {@code processes}, {@code broker}. */
  public String scheduler() {
    return scheduler;
  }

  /** The largest result the scheduler can carry, encoded; {@code Long.MAX_VALUE} if it has no such limit. */
  public long maxResultBytes() {
    return maxResultBytes;
  }

  /**
   * Calls {@code function} on {@code args} as a task of this context: {@link #current()} is this context until it
   * returns. One context serves every task of a scheduler that has the same limits.
   */
  public Object call(TaskFunction function, Object[] args) throws Exception {
    TaskContext[] slot = CURRENT.get();
    TaskContext outer = slot[0];
    slot[0] = this;
    try {
      return function.apply(args);
    } finally {
      slot[0] = outer;
    }
  }

  /**
   * Refuses a result before a function builds it, if it could not be carried or held: more than the scheduler of the
   * running task carries, or more than half of this JVM's heap. A worker that ran out of memory building a result
   * would die, and so would every worker the task went to next.
   *
   * @param what the call, for the message: {@code bytes(500000000)}
   * @param encodedBytes the least the result takes encoded
   * @param heapBytes about what it takes on the heap
   * @throws IllegalArgumentException naming the call, the size and the limit
   */
  public static void refuseResultsLargerThanCarried(String what, long encodedBytes, long heapBytes) {
    TaskContext context = current();
    if (context != null && encodedBytes > context.maxResultBytes) {
      throw new IllegalArgumentException(what + " would be at least " + encodedBytes + " bytes encoded, over the "
          + context.maxResultBytes + " that the " + context.scheduler + " scheduler carries"
          + (context.limitSource == null ? "" : " (" + context.limitSource + ")"));
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (heapBytes > heap / 2) {
      throw new IllegalArgumentException(what + " would take about " + (heapBytes >> 20) + " MiB of heap, more than "
          + "half of the " + (heap >> 20) + " MiB this JVM has (-Xmx)");
    }
  }
}
