package dev.weft.worker.internal;

import dev.weft.broker.telemetry.PerFunction;
import dev.weft.broker.telemetry.WeftMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A worker's meters: {@code weft.tasks.completed} and {@code weft.tasks.failed} (attempts this worker ran, by outcome:
 * the scheduler decides what a failure means for its graph) and {@code weft.task.duration}, by pool and function;
 * the cache's hits and misses (read from the cache's own counts at each scrape) and bytes, and the tasks running and
 * queued. A task thread counts through meters found once per function ({@link PerFunction}), never by tags.
 */
public final class WorkerMeters {
  private record FunctionMeters(Counter completed, Counter failed, Timer duration) {}

  private final String pool;
  private final PerFunction<FunctionMeters> byFunction;

  /**
   * @param running tasks on a task thread now
   * @param queued tasks polled and waiting for a task thread
   */
  public WorkerMeters(MeterRegistry registry, String pool, ResultCache cache, IntSupplier running,
      IntSupplier queued) {
    this.pool = pool;
    this.byFunction = new PerFunction<>((p, function) -> new FunctionMeters(
        Counter.builder("weft.tasks.completed").description("Task attempts this worker ran that succeeded")
            .tags("pool", p, "function", function).register(registry),
        Counter.builder("weft.tasks.failed").description("Task attempts this worker ran that failed")
            .tags("pool", p, "function", function).register(registry),
        WeftMetrics.taskDuration(registry, p, function)));
    FunctionCounter.builder("weft.cache.hits", cache, ResultCache::hits)
        .description("Inputs found in this worker's cache").register(registry);
    FunctionCounter.builder("weft.cache.misses", cache, ResultCache::misses)
        .description("Inputs read from Kafka, not in this worker's cache").register(registry);
    Gauge.builder("weft.cache.bytes", cache, ResultCache::bytes).baseUnit("bytes")
        .description("What the values in this worker's cache take, encoded").register(registry);
    Gauge.builder("weft.tasks.running", running, IntSupplier::getAsInt).strongReference(true)
        .description("Tasks on a task thread now").register(registry);
    Gauge.builder("weft.tasks.queued", queued, IntSupplier::getAsInt).strongReference(true)
        .description("Tasks polled and waiting for a task thread").register(registry);
  }

  /** A task's function ran (or could not: an input unread, a result too large) for {@code durationNanos}. */
  public void ran(String function, boolean failed, long durationNanos) {
    FunctionMeters meters = byFunction.get(pool, function);
    (failed ? meters.failed() : meters.completed()).increment();
    meters.duration().record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
  }
}
