package dev.weft.broker.telemetry;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;

/**
 * The meters of one Weft service (a scheduler, a worker): a registry with Prometheus names
 * ({@code weft_tasks_completed_total} for the counter {@code weft.tasks.completed}), the service's role and instance as
 * tags of every meter, and the JVM's own meters (memory, GC, threads, classes, CPU, uptime) bound. Each service has its
 * own, never Micrometer's global registry: two services in one JVM (a test, {@code weft up}) must not count into each
 * other.
 */
public final class WeftMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics(); // listens to the JVM's GC notifications until closed

  /**
   * @param role {@code scheduler} or {@code worker}
   * @param instance the service's name, as in its client ids
   */
  public WeftMetrics(String role, String instance) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(List.of(Tag.of("role", role), Tag.of("instance", instance)));
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc.bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
