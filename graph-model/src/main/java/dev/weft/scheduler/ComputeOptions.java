package dev.weft.scheduler;

import dev.weft.function.FunctionRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Options of a compute, at any of the three levels: the global defaults ({@link Weft#configure}), a scoped override
 * ({@link Weft#scoped}) and a per-call argument. A level sets only what it names; the most specific level that sets an
 * option wins, and callbacks of every level take part. Immutable: each {@code with} returns a new instance.
 */
public final class ComputeOptions {
  private static final ComputeOptions NONE = new ComputeOptions(Map.of(), List.of());

  private final Map<Option<?>, Object> values;
  private final List<Callback> callbacks;

  private ComputeOptions(Map<Option<?>, Object> values, List<Callback> callbacks) {
    this.values = values;
    this.callbacks = callbacks;
  }

  /** Options that set nothing. */
  public static ComputeOptions defaults() {
    return NONE;
  }

  /** Options naming a scheduler: {@code "sync"}, {@code "threads"}, {@code "processes"}, {@code "broker"}. */
  public static ComputeOptions scheduler(String name) {
    return NONE.with(SchedulerOptions.SCHEDULER, name);
  }

  /** Options naming a scheduler instance, which the caller owns and closes. */
  public static ComputeOptions scheduler(Scheduler scheduler) {
    return NONE.with(SchedulerOptions.SCHEDULER, scheduler);
  }

  public <T> ComputeOptions with(Option<T> option, T value) {
    Map<Option<?>, Object> copy = new LinkedHashMap<>(values);
    copy.put(option, option.check(value));
    return new ComputeOptions(Collections.unmodifiableMap(copy), callbacks);
  }

  public ComputeOptions numWorkers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("num.workers must be at least 1, was " + workers);
    }
    return with(SchedulerOptions.NUM_WORKERS, workers);
  }

  public ComputeOptions maxInFlight(int tasks) {
    if (tasks < 1) {
      throw new IllegalArgumentException("max.in.flight must be at least 1, was " + tasks);
    }
    return with(SchedulerOptions.MAX_IN_FLIGHT, tasks);
  }

  public ComputeOptions executor(ExecutorService executor) {
    return with(SchedulerOptions.EXECUTOR, executor);
  }

  public ComputeOptions registry(FunctionRegistry registry) {
    return with(SchedulerOptions.REGISTRY, registry);
  }

  /** These options with {@code more} callbacks added. */
  public ComputeOptions callbacks(Callback... more) {
    List<Callback> all = new ArrayList<>(callbacks);
    Collections.addAll(all, more);
    return new ComputeOptions(values, List.copyOf(all));
  }

  /** The value of {@code option}, or its default when no level set it. */
  public <T> T get(Option<T> option) {
    return values.containsKey(option) ? option.type().cast(values.get(option)) : option.defaultValue();
  }

  public boolean isSet(Option<?> option) {
    return values.containsKey(option);
  }

  public List<Callback> callbacks() {
    return callbacks;
  }

  /** These options without their callbacks. */
  ComputeOptions withoutCallbacks() {
    return callbacks.isEmpty() ? this : new ComputeOptions(values, List.of());
  }

  /** These options over {@code base}: what this sets wins; callbacks of {@code base} run first. */
  public ComputeOptions over(ComputeOptions base) {
    if (base == NONE) {
      return this;
    }
    if (this == NONE) {
      return base;
    }
    Map<Option<?>, Object> merged = new LinkedHashMap<>(base.values);
    merged.putAll(values);
    List<Callback> all = new ArrayList<>(base.callbacks);
    all.addAll(callbacks);
    return new ComputeOptions(Collections.unmodifiableMap(merged), List.copyOf(all));
  }

  @Override
  public String toString() {
    Map<String, Object> shown = new LinkedHashMap<>();
    values.forEach((option, value) -> shown.put(option.key(), value));
    return "ComputeOptions" + shown + (callbacks.isEmpty() ? "" : " callbacks=" + callbacks);
  }
}
