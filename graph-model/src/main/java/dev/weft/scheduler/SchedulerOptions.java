package dev.weft.scheduler;

import dev.weft.function.FunctionRegistry;
import java.util.concurrent.ExecutorService;

/** The options that every scheduler reads. Scheduler modules add their own beside their code. */
public final class SchedulerOptions {
  private SchedulerOptions() {}

  /**
   * Which scheduler runs a compute: a name that some {@link SchedulerProvider} registers ({@code sync},
   * {@code threads}, {@code processes}, {@code broker}) or a {@link Scheduler} instance. Default: {@code threads}.
   */
  public static final Option<Object> SCHEDULER = Option.of("scheduler", Object.class, "threads",
      "Scheduler name (sync, threads, processes, broker) or a Scheduler instance.");

  /** How many tasks run at once: threads of the pool, worker JVMs. Default: the number of processors. */
  public static final Option<Integer> NUM_WORKERS = Option.of("num.workers", Integer.class, null,
      "Tasks that run at once (threads or worker processes); default: available processors.");

  /**
   * The most tasks handed to the executor and not yet finished. A bound keeps memory flat on wide graphs; a few per
   * worker keeps workers busy while the loop hands out the next ones. Default: chosen by the scheduler.
   */
  public static final Option<Integer> MAX_IN_FLIGHT = Option.of("max.in.flight", Integer.class, null,
      "Upper bound on tasks submitted and not yet finished; default: chosen by the scheduler.");

  /**
   * An {@link ExecutorService} the threads scheduler uses instead of its own pool. Weft never shuts it down;
   * {@link #NUM_WORKERS} then only sizes the in-flight bound.
   */
  public static final Option<ExecutorService> EXECUTOR = Option.of("executor", ExecutorService.class, null,
      "Caller-supplied ExecutorService for the threads scheduler; never shut down by Weft.");

  /** Where in-process schedulers look up functions. Default: {@link FunctionRegistry#global()}. */
  public static final Option<FunctionRegistry> REGISTRY = Option.of("registry", FunctionRegistry.class, null,
      "Function registry for in-process schedulers; default: the global registry.");
}
