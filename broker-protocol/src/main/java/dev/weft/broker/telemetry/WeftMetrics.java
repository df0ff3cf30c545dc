package dev.weft.broker.telemetry;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters of one Weft service (a scheduler, a worker): a registry with Prometheus names
 * ({@code weft_tasks_completed_total} for the counter {@code weft.tasks.completed}), the service's role and instance as
 * tags of every meter, and the JVM's own meters (memory, GC, threads, classes, CPU, uptime) bound. Each service has its
 * own, never Micrometer's global registry: two services in one JVM (a test, {@code weft up}) must not count into each
 * other. The service's Kafka clients are bound too ({@link #bindKafkaClient}), which gives consumer lag
 * ({@code kafka_consumer_fetch_manager_records_lag_max}), and closed with it.
 */
public final class WeftMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WeftMetrics.class);

  /**
   * The buckets of task duration histograms: from 100 µs (a task of the built-ins) to 5 minutes, about three to a
   * decade. Fixed buckets rather than Micrometer's percentile histogram, whose ~70 buckets a series, times pools and
   * functions, would make each scrape large.
   */
  private static final Duration[] DURATION_BUCKETS = {
      Duration.ofNanos(100_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(60),
      Duration.ofMinutes(5)};

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics(); // listens to the JVM's GC notifications until closed
  private final String instance;
  /** Kafka client binders, and the one thread they share to find the metrics a client adds as it runs. */
  private final List<KafkaClientMetrics> kafkaClients = new ArrayList<>();
  private ScheduledExecutorService kafkaRefresh;

  /**
   * @param role {@code scheduler} or {@code worker}
   * @param instance the service's name, as in its client ids
   */
  public WeftMetrics(String role, String instance) {
    this.instance = instance;
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

  /** The duration timer of a task function: {@code weft_task_duration_seconds{pool,function}}, with buckets. */
  public static Timer taskDuration(MeterRegistry registry, String pool, String function) {
    return Timer.builder("weft.task.duration")
        .description("How long task functions ran, by pool and function")
        .tags("pool", pool, "function", function)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(registry);
  }

  /**
   * Binds a producer's own metrics (Kafka's), until this is closed.
   *
   * @param client what the client is for, its {@code client} tag: a service's clients may share a client id, and
   *     meters of the same name and tags would be refused
   */
  public void bindKafkaClient(Producer<?, ?> producer, String client) {
    bind(new KafkaClientMetrics(producer, List.of(Tag.of("client", client)), refreshThread()));
  }

  /** Binds a consumer's own metrics (Kafka's: fetch rates, lag), until this is closed; as the producer's. */
  public void bindKafkaClient(Consumer<?, ?> consumer, String client) {
    bind(new KafkaClientMetrics(consumer, List.of(Tag.of("client", client)), refreshThread()));
  }

  private synchronized ScheduledExecutorService refreshThread() {
    if (kafkaRefresh == null) {
      kafkaRefresh = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "weft-" + instance + "-kafka-metrics");
        thread.setDaemon(true);
        return thread;
      });
    }
    return kafkaRefresh;
  }

  private synchronized void bind(KafkaClientMetrics binder) {
    try {
      binder.bindTo(registry);
      kafkaClients.add(binder);
    } catch (RuntimeException e) {
      // Telemetry: a client whose metrics cannot be read is one the scrape lacks, never a service that stops.
      LOG.warn("{}: the metrics of a Kafka client cannot be bound: {}", instance, e.toString());
      binder.close();
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      kafkaClients.forEach(KafkaClientMetrics::close);
      kafkaClients.clear();
      if (kafkaRefresh != null) {
        kafkaRefresh.shutdownNow();
      }
    }
    gc.close();
    registry.close();
  }
}
