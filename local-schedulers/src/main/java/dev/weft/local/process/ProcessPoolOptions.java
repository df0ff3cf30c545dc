package dev.weft.local.process;

import dev.weft.scheduler.Option;
import java.nio.file.Path;
import java.util.List;

/** Options of the processes scheduler, beside {@link dev.weft.scheduler.SchedulerOptions#NUM_WORKERS}. */
public final class ProcessPoolOptions {
  private ProcessPoolOptions() {}

  @SuppressWarnings("unchecked")
  private static final Class<List<String>> STRINGS = (Class<List<String>>) (Class<?>) List.class;

  /**
   * Options for each worker JVM, such as {@code -Xmx2g}. Weft adds {@code -XX:+ExitOnOutOfMemoryError}, so that a task
   * that exhausts the heap ends its worker (which is then replaced) rather than leave it in an unknown state.
   */
  public static final Option<List<String>> JVM_OPTIONS = Option.of("processes.jvm.options", STRINGS, List.of(),
      "JVM options of each worker, e.g. [-Xmx2g].");

  /** A folder of plugin jars whose function modules the workers load, each jar in a class loader of its own. */
  public static final Option<Path> PLUGIN_DIR = Option.of("plugin.dir", Path.class, null,
      "Folder of plugin jars with function modules.");

  /** The largest message between caller and worker: bounds what a corrupt frame can make either side allocate. */
  public static final Option<Integer> MAX_FRAME_BYTES = Option.of("processes.max.frame.bytes", Integer.class,
      1 << 30, "Largest frame between caller and worker, in bytes (default 1 GiB).");

  /**
   * Results larger than this, encoded, stay in the worker JVM that produced them, as in Dask's distributed scheduler:
   * the tasks that read one are sent to that worker, and the caller fetches it, once, only when a reader runs elsewhere.
   * Smaller results, the compute's outputs, and every result while callbacks listen come back to the caller. -1 sends
   * every result back, as before.
   */
  public static final Option<Integer> KEEP_BYTES = Option.of("processes.keep.bytes", Integer.class, 64 * 1024,
      "Results over this many bytes encoded stay in their worker until a reader elsewhere needs them; -1: none do.");
}
