package dev.weft.broker;

import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A scheduler service and workers in the test's JVM, on the test's Kafka under a topic prefix of its own, each serving
 * HTTP on a free port: for tests that read what the services serve and publish ({@code /metrics}, reports).
 */
final class InJvmDeployment implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final EmbeddedSchemaRegistry registry;
  private final Map<String, Object> connection;
  private final SchedulerService scheduler;
  private final List<Worker> workers = new ArrayList<>();

  InJvmDeployment(TestKafka kafka) throws Exception {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    connection = new HashMap<>(kafka.clientProperties());
    connection.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
    connection.put(WeftKafkaConfig.TOPIC_PREFIX, kafka.uniqueName("weft") + ".");
    connection.put(WeftKafkaConfig.GRAPH_PARTITIONS, "2");
    connection.put(WeftKafkaConfig.TASK_PARTITIONS, "4");
    Map<String, Object> settings = new HashMap<>(connection);
    settings.put(WeftKafkaConfig.HTTP_PORT, "0");
    try {
      scheduler = SchedulerService.start(settings);
      if (!scheduler.awaitAssignment(Duration.ofMinutes(1))) {
        throw new IllegalStateException("the scheduler got no partitions within a minute");
      }
    } catch (Exception | Error e) {
      registry.close();
      throw e;
    }
  }

  /** What a client needs: Kafka, the registry and the topic prefix. */
  Map<String, Object> connection() {
    return connection;
  }

  SchedulerService scheduler() {
    return scheduler;
  }

  /** Starts a worker serving HTTP on a free port, with {@code settings} ({@link WorkerConfig} keys) over the rest. */
  Worker startWorker(String name, Map<String, Object> settings) throws InterruptedException {
    Map<String, Object> config = new HashMap<>(connection);
    config.put(WorkerConfig.NAME, name);
    config.put(WeftKafkaConfig.HTTP_PORT, "0");
    config.putAll(settings);
    Worker worker = Worker.start(config);
    workers.add(worker);
    if (!worker.awaitAssignment(Duration.ofMinutes(1))) {
      throw new IllegalStateException("worker " + name + " got no partitions within a minute");
    }
    return worker;
  }

  /** GET {@code /metrics} of a service at {@code address}: the Prometheus text. */
  static String scrape(URI address) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(address.resolve("metrics"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + address + "metrics answered " + response.statusCode());
    }
    return response.body();
  }

  @Override
  public void close() {
    workers.forEach(Worker::close);
    scheduler.close();
    registry.close();
  }
}
