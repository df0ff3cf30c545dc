package dev.weft.scheduler;

import dev.weft.function.TaskContext;
import dev.weft.graph.Graph;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where computes start, and the three levels of their configuration:
 *
 * <pre>{@code
 * Weft.configure(ComputeOptions.scheduler("threads").numWorkers(8));      // global default
 * try (Weft.Scope scope = Weft.scoped(ComputeOptions.scheduler("sync"))) {   // this thread, until closed
 *   Weft.compute(graph);                                                     // runs on sync
 *   Weft.compute(graph, ComputeOptions.scheduler("processes"), "total");     // per call: runs on processes
 * }
 * }</pre>
 *
 * <p>A per-call option wins over a scoped one, which wins over the global one. Scopes belong to the thread that opened
 * them and nest; close them in reverse order (try-with-resources does). Schedulers named by string are found through
 * {@link SchedulerProvider}s, created once and reused; {@link #shutdown()} closes them.
 */
public final class Weft {
  private static volatile ComputeOptions global = ComputeOptions.defaults();
  private static final ThreadLocal<Deque<Scope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);
  private static final Map<String, Scheduler> SCHEDULERS = new ConcurrentHashMap<>();
  private static volatile Map<String, SchedulerProvider> providers;

  private Weft() {}

  /** Replaces the global defaults. */
  public static void configure(ComputeOptions options) {
    global = options;
  }

  /** The global defaults. */
  public static ComputeOptions globalOptions() {
    return global;
  }

  /** Overrides options for computes started by this thread until the returned scope is closed. */
  public static Scope scoped(ComputeOptions options) {
    Deque<Scope> scopes = SCOPES.get();
    Scope enclosing = scopes.peek();
    Scope scope = new Scope(enclosing == null ? options : options.over(enclosing.options));
    scopes.push(scope);
    return scope;
  }

  /** The options a compute started now by this thread would use, before its per-call options. */
  public static ComputeOptions currentOptions() {
    Scope scope = SCOPES.get().peek();
    return scope == null ? global : scope.options.over(global);
  }

  /** Computes the graph's outputs with the current options. */
  public static Map<String, Object> compute(Graph graph) {
    return compute(graph, ComputeOptions.defaults());
  }

  /** Computes {@code keys} (or the graph's outputs if none are given) with {@code options} over the current ones. */
  public static Map<String, Object> compute(Graph graph, ComputeOptions options, String... keys) {
    return compute(graph, keys.length == 0 ? graph.outputs() : List.of(keys), options);
  }

  /**
   * Computes {@code keys} with {@code options} over the current ones. A compute started inside a task (nested) takes
   * the scheduler and options of the current levels but not their callbacks: as in Dask, only the outermost compute
   * uses the global and scoped callbacks, so that one callback never sees two graphs at once.
   */
  public static Map<String, Object> compute(Graph graph, List<String> keys, ComputeOptions options) {
    ComputeOptions current = currentOptions();
    if (TaskContext.current() != null) {
      current = current.withoutCallbacks();
    }
    ComputeOptions effective = options.over(current);
    return schedulerFor(effective).compute(graph, keys, effective);
  }

  /** The value of one key, with the current options. */
  public static Object get(Graph graph, String key) {
    return compute(graph, ComputeOptions.defaults(), key).get(key);
  }

  /** The scheduler that {@code options} select: an instance they carry, or the shared one of that name. */
  public static Scheduler schedulerFor(ComputeOptions options) {
    Object selected = options.get(SchedulerOptions.SCHEDULER);
    if (selected instanceof Scheduler) {
      return (Scheduler) selected;
    }
    if (!(selected instanceof String)) {
      throw new IllegalArgumentException("option 'scheduler' must be a name or a Scheduler, got " + selected);
    }
    String name = (String) selected;
    return SCHEDULERS.computeIfAbsent(name, Weft::createScheduler);
  }

  private static Scheduler createScheduler(String name) {
    SchedulerProvider provider = providers().get(name);
    if (provider == null) {
      throw new IllegalArgumentException("unknown scheduler '" + name + "'; known: "
          + String.join(", ", providers().keySet()) + " (is the module that provides it on the classpath?)");
    }
    return provider.create();
  }

  private static Map<String, SchedulerProvider> providers() {
    Map<String, SchedulerProvider> found = providers;
    if (found == null) {
      found = new TreeMap<>();
      for (SchedulerProvider provider : ServiceLoader.load(SchedulerProvider.class, Weft.class.getClassLoader())) {
        found.putIfAbsent(provider.name(), provider);
      }
      providers = found;
    }
    return found;
  }

  /** Names of the schedulers found on the classpath. */
  public static List<String> schedulerNames() {
    return new ArrayList<>(providers().keySet());
  }

  /** Closes every scheduler created by name; later computes create them again. */
  public static void shutdown() {
    List<Scheduler> open = new ArrayList<>(SCHEDULERS.values());
    SCHEDULERS.clear();
    RuntimeException failure = null;
    for (Scheduler scheduler : open) {
      try {
        scheduler.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing scheduler " + scheduler.name() + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A scoped override of options, open until closed. */
  public static final class Scope implements AutoCloseable {
    private final ComputeOptions options;

    private Scope(ComputeOptions options) {
      this.options = options;
    }

    /** The options of this scope, merged over the scopes it is nested in. */
    public ComputeOptions options() {
      return options;
    }

    @Override
    public void close() {
      Deque<Scope> scopes = SCOPES.get();
      if (scopes.peek() != this) {
        throw new IllegalStateException(scopes.contains(this)
            ? "scopes must be closed in reverse order of opening"
            : "scope closed twice or on another thread");
      }
      scopes.pop();
    }
  }
}
