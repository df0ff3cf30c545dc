package dev.weft.stream;

import dev.weft.broker.SchedulerMain;
import dev.weft.broker.SchedulerService;
import dev.weft.broker.SchedulerServiceConfig;
import dev.weft.broker.protocol.ServiceProcesses;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.worker.Worker;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Weft deployment for a stream test, on the test JVM's shared broker under a prefix of its own: an embedded schema
 * registry, schedulers (in this JVM or in JVMs of their own, which a test may kill) and workers.
 */
final class StreamCluster implements AutoCloseable {
  private final Map<String, Object> kafka;
  private final UnaryOperator<String> names;
  private final EmbeddedSchemaRegistry registry;
  private final Map<String, Object> connection;
  private final List<AutoCloseable> services = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path logs;

  StreamCluster(TestKafka kafka) throws Exception {
    this(kafka.clientProperties(), kafka::uniqueName);
  }

  /** On a broker of the test's own (one it kills and restarts, say). */
  StreamCluster(Map<String, Object> kafkaClients, UnaryOperator<String> names) throws Exception {
    this.kafka = kafkaClients;
    this.names = names;
    this.registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    this.connection = new HashMap<>(kafkaClients);
    connection.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registry.url());
    connection.put(WeftKafkaConfig.TOPIC_PREFIX, names.apply("weft") + ".");
    connection.put(WeftKafkaConfig.GRAPH_PARTITIONS, "4");
    connection.put(WeftKafkaConfig.TASK_PARTITIONS, "8");
    // A scheduler killed in a test is replaced within seconds, not Kafka's default 45.
    connection.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    connection.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    connection.put(StreamConfig.STATUS_INTERVAL_MS, "200");
    this.logs = Files.createDirectories(Path.of("target", "service-logs"));
  }

  Map<String, Object> connection() {
    return connection;
  }

  String topic(String base) {
    return names.apply(base);
  }

  SchedulerService scheduler(String name) throws Exception {
    Map<String, Object> settings = new HashMap<>(connection);
    settings.put(SchedulerServiceConfig.NAME, name);
    SchedulerService scheduler = SchedulerService.start(settings);
    services.add(scheduler);
    if (!scheduler.awaitAssignment(Duration.ofSeconds(60))) {
      throw new IllegalStateException("scheduler " + name + " got no partitions in 60 s");
    }
    return scheduler;
  }

  Worker worker(String name) throws Exception {
    Map<String, Object> settings = new HashMap<>(connection);
    settings.put(WorkerConfig.NAME, name);
    settings.put(WorkerConfig.THREADS, "2");
    Worker worker = Worker.start(settings);
    services.add(worker);
    return worker;
  }

  /** A scheduler in a JVM of its own, which the test may kill. */
  Process schedulerProcess(String name) throws Exception {
    Map<String, Object> settings = new HashMap<>(connection);
    settings.put(SchedulerServiceConfig.NAME, name);
    Process process = ServiceProcesses.start(SchedulerMain.class, settings, List.of("-Xmx256m", "-XX:+UseSerialGC"),
        logs.resolve(names.apply(name) + ".log"));
    processes.add(process);
    return process;
  }

  /** A worker in a JVM of its own, which the test may kill. */
  Process workerProcess(String name) throws Exception {
    Map<String, Object> settings = new HashMap<>(connection);
    settings.put(WorkerConfig.NAME, name);
    settings.put(WorkerConfig.THREADS, "2");
    Process process = WorkerProcesses.start(settings, List.of("-Xmx256m", "-XX:+UseSerialGC"),
        logs.resolve(names.apply(name) + ".log"));
    processes.add(process);
    return process;
  }

  /** Writes string records, keyed and spread over the topic's partitions by their key. */
  void produce(String topic, List<String[]> keysAndValues) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka,
        new StringSerializer(), new StringSerializer())) {
      for (String[] record : keysAndValues) {
        producer.send(new ProducerRecord<>(topic, record[0], record[1]));
      }
      producer.flush();
    }
  }

  /** Reads {@code count} records of {@code topic} as a read_committed consumer would, or fails after the timeout. */
  List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int count, Duration timeout) {
    Map<String, Object> properties = new HashMap<>(kafka);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      // Anything more that is already committed is a duplicate the caller must see.
      for (int i = 0; i < 5; i++) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }

  static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  static String header(ConsumerRecord<?, ?> record, String key) {
    var header = record.headers().lastHeader(key);
    return header == null ? null : text(header.value());
  }

  @Override
  public void close() {
    ServiceProcesses.stop(processes, Duration.ofSeconds(20));
    for (int i = services.size() - 1; i >= 0; i--) {
      try {
        services.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("a service of the cluster did not close", e);
      }
    }
    registry.close();
  }
}
