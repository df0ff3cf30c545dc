package dev.weft.local.process;

import dev.weft.function.FunctionCatalog;
import dev.weft.local.LocalScheduler;
import dev.weft.local.internal.TaskExecutor;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.SchedulerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs tasks in a pool of worker JVMs on this machine, as Dask's multiprocessing scheduler: a task that crashes,
 * leaks or calls thread-unsafe native code cannot take the caller down. Values cross between JVMs in Avro; functions
 * are resolved in the workers, from their classpath (the caller's) and the plugin folder. A pool starts once per
 * configuration ({@link SchedulerOptions#NUM_WORKERS}, {@link ProcessPoolOptions}) and is reused by later computes;
 * {@link #close()} stops the workers.
 */
public final class ProcessesScheduler extends LocalScheduler {
  public static final String NAME = "processes";

  private final Map<ProcessPool.Config, ProcessPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public ProcessesScheduler() {
    super(NAME);
  }

  @Override
  protected ExecutorLease executorFor(ComputeOptions options) {
    if (closed) {
      throw new IllegalStateException("the processes scheduler is closed");
    }
    ProcessPool.Config config = new ProcessPool.Config(workersFor(options),
        options.get(ProcessPoolOptions.JVM_OPTIONS), options.get(ProcessPoolOptions.PLUGIN_DIR),
        options.get(ProcessPoolOptions.MAX_FRAME_BYTES));
    if (config.pluginDir() != null && !pools.containsKey(config)) {
      // Said here, where the caller sees it, rather than by worker JVMs that fail to start.
      dev.weft.function.FunctionRegistry.checkPluginFolder(config.pluginDir());
    }
    ProcessPool pool = pools.computeIfAbsent(config, ProcessPool::new);
    if (closed) {
      // close() ran meanwhile and may have missed this pool: nobody else would close it.
      pools.remove(config, pool);
      pool.close();
      throw new IllegalStateException("the processes scheduler is closed");
    }
    ProcessExecutor executor = new ProcessExecutor(pool, options.get(ProcessPoolOptions.KEEP_BYTES));
    return new ExecutorLease() {
      @Override
      public TaskExecutor executor() {
        return executor;
      }

      /** The graph is checked against what the workers reported they can run, not this JVM's registry. */
      @Override
      public FunctionCatalog functions(ComputeOptions ignored) {
        return pool.functions();
      }
    };
  }

  /** The pools, for tests in this package that look at what travelled and what the workers keep. */
  List<ProcessPool> pools() {
    return List.copyOf(pools.values());
  }

  /** Process ids of the workers of every pool, for diagnostics. */
  public List<Long> workerPids() {
    return pools.values().stream().flatMap(pool -> pool.workerPids().stream()).toList();
  }

  @Override
  public void close() {
    closed = true;
    pools.values().forEach(ProcessPool::close);
    pools.clear();
  }
}
