package dev.weft.bag;

import dev.weft.broker.BrokerOptions;
import dev.weft.broker.BrokerScheduler;
import dev.weft.broker.SchedulerService;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerGroup;
import dev.weft.worker.WorkerProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The bag suite on the broker scheduler: the test JVM's Kafka broker, an embedded schema registry, a scheduler service
 * and two worker JVMs on the test's classpath (so that they have the test functions).
 */
@WithKafka
class BrokerBagTest extends BagConformanceSuite {
  private static EmbeddedSchemaRegistry registry;
  private static SchedulerService service;
  private static final List<Process> workers = new ArrayList<>();
  private static final BrokerScheduler broker = new BrokerScheduler();
  private static Map<String, Object> connection;

  @BeforeAll
  static void startCluster(TestKafka kafka) throws Exception {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    connection = new HashMap<>(kafka.clientProperties());
    connection.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
    connection.put(WeftKafkaConfig.TOPIC_PREFIX, kafka.uniqueName("weft") + ".");
    connection.put(WeftKafkaConfig.GRAPH_PARTITIONS, "2");
    connection.put(WeftKafkaConfig.TASK_PARTITIONS, "4");
    service = SchedulerService.start(connection);
    if (!service.awaitAssignment(Duration.ofSeconds(60))) {
      throw new IllegalStateException("the scheduler got no partitions in 60 s");
    }
    Path logs = Files.createDirectories(Path.of("target", "worker-logs"));
    for (int i = 1; i <= 2; i++) {
      Map<String, Object> settings = new HashMap<>(connection);
      settings.put(WorkerConfig.NAME, "bag-worker-" + i);
      settings.put(WorkerConfig.THREADS, "2");
      workers.add(WorkerProcesses.start(settings, List.of("-Xmx256m", "-XX:+UseSerialGC"),
          logs.resolve(kafka.uniqueName("bag-worker") + "-" + i + ".log")));
    }
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      WorkerGroup.awaitActive(admin, new WorkerConfig(connection).topics(), null, 2, Duration.ofSeconds(90));
    }
  }

  @AfterAll
  static void stopCluster() {
    broker.close();
    WorkerProcesses.stop(workers, Duration.ofSeconds(30));
    if (service != null) {
      service.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Override
  protected ComputeOptions scheduler() {
    return ComputeOptions.scheduler(broker).with(BrokerOptions.CONNECTION, connection);
  }
}
