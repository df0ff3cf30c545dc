package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.telemetry.PerFunction;
import dev.weft.broker.telemetry.WeftMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * The scheduler's meters, counted by the loop's parts as they go. The loop's thread counts (meters are thread-safe, so
 * a scrape reads them from its own thread); the gauges read what the loop publishes each turn, never the loop's own
 * maps.
 *
 * <p>What is counted, by pool and function: {@code weft.tasks.emitted} every attempt written to a tasks topic (first
 * attempts and retries; a send Kafka refused and that is sent again counts once), {@code weft.tasks.completed} tasks
 * done, {@code weft.tasks.failed} tasks that failed for good (their graph fails), {@code weft.tasks.retried} failed
 * attempts that are run again, {@code weft.task.duration} how long each attempt's function ran, as its result says.
 * Only results that move a graph on count: a duplicate, a stale attempt and a result read again while a partition is
 * rebuilt after a takeover were counted by the scheduler that saw them first. Graphs are counted as their events are
 * written: {@code weft.graphs.submitted} with each ACCEPTED event (a graph rebuilt after a takeover is accepted, and
 * counted, again by its new owner), the endings with theirs.
 */
public final class SchedulerMeters {
  /** The meters of one (pool, function). */
  public record TaskMeters(Counter emitted, Counter completed, Counter failed, Counter retried, Timer duration) {
    /** An attempt's result: how long it ran. */
    public void ran(long durationNanos) {
      duration.record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
    }
  }

  private final MeterRegistry registry;
  private final PerFunction<TaskMeters> tasks;
  private final Counter graphsSubmitted;
  private final Counter graphsCompleted;
  private final Counter graphsFailed;
  private final Counter graphsCancelled;
  private final Counter graphsRejected;
  private final Counter deadLetters;
  /** Tasks in flight by pool, as the loop published them last; the gauges read these. */
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public SchedulerMeters(MeterRegistry registry) {
    this.registry = registry;
    this.tasks = new PerFunction<>((pool, function) -> new TaskMeters(
        counter("weft.tasks.emitted", "Task attempts written to a tasks topic", pool, function),
        counter("weft.tasks.completed", "Tasks done", pool, function),
        counter("weft.tasks.failed", "Tasks failed for good, after their retries", pool, function),
        counter("weft.tasks.retried", "Failed task attempts run again", pool, function),
        WeftMetrics.taskDuration(registry, pool, function)));
    this.graphsSubmitted = graphs("weft.graphs.submitted", "Graphs accepted to run");
    this.graphsCompleted = graphs("weft.graphs.completed", "Graphs that completed");
    this.graphsFailed = graphs("weft.graphs.failed", "Graphs that failed");
    this.graphsCancelled = graphs("weft.graphs.cancelled", "Graphs cancelled before they finished");
    this.graphsRejected = graphs("weft.graphs.rejected", "Graph commands refused (invalid, undecodable, misrouted)");
    this.deadLetters = Counter.builder("weft.dead.letters")
        .description("Records put aside to the dead-letter topic").register(registry);
  }

  /**
   * Gauges {@code weft.graphs.running} by {@code graphs}, which the loop's owner keeps strongly (Micrometer holds a
   * gauge's object weakly).
   */
  public <T> void graphsRunning(T owner, ToIntFunction<T> graphs) {
    Gauge.builder("weft.graphs.running", owner, o -> graphs.applyAsInt(o))
        .description("Graphs held and not ended (those being rebuilt after a takeover too)")
        .strongReference(true)
        .register(registry);
  }

  private Counter counter(String name, String description, String pool, String function) {
    return Counter.builder(name).description(description).tags("pool", pool, "function", function).register(registry);
  }

  private Counter graphs(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /** The meters of {@code function} in {@code pool} (null: the default pool). */
  public TaskMeters of(String pool, String function) {
    return tasks.get(Topics.poolName(pool), function);
  }

  public void graphSubmitted() {
    graphsSubmitted.increment();
  }

  /** A graph ended here with {@code type}: COMPLETED, FAILED, CANCELLED or REJECTED. */
  public void graphEnded(GraphEvent.Type type) {
    switch (type) {
      case COMPLETED -> graphsCompleted.increment();
      case FAILED -> graphsFailed.increment();
      case CANCELLED -> graphsCancelled.increment();
      case REJECTED -> graphsRejected.increment();
      default -> { } // not an ending
    }
  }

  public void deadLetter() {
    deadLetters.increment();
  }

  /**
   * Publishes the tasks in flight by pool, for the gauges {@code weft.tasks.in.flight{pool}}; the loop's thread, each
   * turn. Pools past {@link PerFunction#MAX_POOLS} are summed under {@link PerFunction#OTHER}.
   */
  public void inFlight(Map<String, Integer> byPool) {
    int other = 0;
    boolean anyOther = false;
    for (Map.Entry<String, Integer> entry : byPool.entrySet()) {
      AtomicInteger published = inFlight.get(entry.getKey());
      if (published == null && inFlight.size() >= PerFunction.MAX_POOLS) {
        other += entry.getValue();
        anyOther = true;
      } else {
        gauge(entry.getKey(), published).set(entry.getValue());
      }
    }
    if (anyOther) {
      gauge(PerFunction.OTHER, inFlight.get(PerFunction.OTHER)).set(other);
    }
  }

  private AtomicInteger gauge(String pool, AtomicInteger published) {
    if (published != null) {
      return published;
    }
    AtomicInteger made = new AtomicInteger();
    Gauge.builder("weft.tasks.in.flight", made, AtomicInteger::get)
        .description("Tasks written to a pool's topic and not finished, as of the loop's last turn")
        .tags("pool", pool)
        .strongReference(true)
        .register(registry);
    inFlight.put(pool, made);
    return made;
  }
}
