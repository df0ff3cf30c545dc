package dev.weft.registry.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.RawHttp;
import dev.weft.registry.RegisteredSchema;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.TestSchemas;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaSchemaStore} against a real broker: the registry's schemas in a compacted topic, surviving restarts and
 * shared by registries on the same topic. Each test has a topic of its own on the JVM's one broker.
 */
@WithKafka
class KafkaSchemaStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Bounds a hang on a slow machine; no test expects to come near it. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestKafka kafka;
  private String topic;
  /** Topics this test made outside TestKafka.createTopic, deleted after it so the shared broker stays small. */
  private final Set<String> topicsToDelete = new HashSet<>();

  @BeforeEach
  void setUp(TestKafka kafka) {
    this.kafka = kafka;
    this.topic = kafka.uniqueName("_weft_schemas");
    topicsToDelete.add(topic);
  }

  @AfterEach
  void deleteTopics() throws Exception {
    Set<String> existing = kafka.admin().listTopics().names().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    topicsToDelete.retainAll(existing);
    if (!topicsToDelete.isEmpty()) {
      kafka.admin().deleteTopics(topicsToDelete).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private Map<String, Object> storeConfig(String storeTopic) {
    Map<String, Object> config = new HashMap<>();
    // Security settings of an external cluster reach the store's clients through the kafkastore. prefix.
    kafka.clientProperties().forEach((name, value) -> config.put(KafkaSchemaStoreConfig.PREFIX + name, value));
    config.put(KafkaSchemaStoreConfig.TOPIC_CONFIG, storeTopic);
    return config;
  }

  private EmbeddedSchemaRegistry startRegistry() {
    return EmbeddedSchemaRegistry.start(new KafkaSchemaStore(storeConfig(topic)));
  }

  /** A client without retries, so that an error shows as it is; each client has its own caches. */
  private static RestSchemaRegistryClient clientOf(EmbeddedSchemaRegistry registry) {
    return RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).latestTtl(Duration.ZERO).build();
  }

  // --- 1. the topic

  @Test
  void createsItsTopicCompactedWithOnePartition() throws Exception {
    try (EmbeddedSchemaRegistry registry = startRegistry()) {
      Admin admin = kafka.admin();
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      assertEquals(1, description.partitions().size());
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config config = admin.describeConfigs(List.of(resource)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
          .get(resource);
      assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
    }
  }

  @Test
  void refusesATopicWithMorePartitions() {
    topic = kafka.createTopic("three-partitions", 3);
    SchemaStoreException refused = assertThrows(SchemaStoreException.class, this::startRegistry);
    assertTrue(refused.getMessage().contains("has 3 partitions; it must have exactly one"), refused.getMessage());
  }

  @Test
  void refusesATopicThatDeletesOldRecords() throws Exception {
    topic = kafka.createTopic("deleting", 1); // the broker's default policy: delete
    SchemaStoreException refused = assertThrows(SchemaStoreException.class, this::startRegistry);
    assertTrue(refused.getMessage().contains("has cleanup.policy=delete; it must be compact"), refused.getMessage());

    // Compacted and deleting: old schemas would still go.
    topic = kafka.uniqueName("compact-and-delete");
    topicsToDelete.add(topic);
    kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete")))).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    refused = assertThrows(SchemaStoreException.class, this::startRegistry);
    assertTrue(refused.getMessage().contains("has cleanup.policy=compact,delete; it must be compact"),
        refused.getMessage());
  }

  // --- 2. read-your-writes

  @Test
  void whatARegistryWroteItReadsAtOnce() {
    try (EmbeddedSchemaRegistry registry = startRegistry();
        RestSchemaRegistryClient writer = clientOf(registry);
        RestSchemaRegistryClient reader = clientOf(registry)) {
      writer.setCompatibility(CompatibilityLevel.NONE);
      assertEquals(CompatibilityLevel.NONE, reader.compatibility());
      // Several versions of one subject: "latest" is answered from the registry's view without syncing, so a
      // store that returned before its reader applied the write would answer the previous version.
      for (int i = 0; i < 5; i++) {
        Schema schema = TestSchemas.named("Written" + i);
        int id = writer.register("orders-value", schema);
        RegisteredSchema latest = reader.latest("orders-value");
        assertEquals(i + 1, latest.version(), "latest right after registering version " + (i + 1));
        assertEquals(id, latest.id());
        assertEquals(schema, latest.schema());
        assertEquals(schema, reader.schemaById(id));
      }
      writer.setCompatibility("orders-value", CompatibilityLevel.FULL_TRANSITIVE);
      assertEquals(CompatibilityLevel.FULL_TRANSITIVE, reader.compatibility("orders-value"));
    }
  }

  // --- 3. restart

  @Test
  void aRestartedRegistryFindsEverythingTheTopicHolds() {
    int orderV1;
    int orderV2;
    int gone;
    int highest;
    try (EmbeddedSchemaRegistry first = startRegistry();
        RestSchemaRegistryClient client = clientOf(first)) {
      orderV1 = client.register("orders-value", TestSchemas.orderV1());
      orderV2 = client.register("orders-value", TestSchemas.orderV2());
      gone = client.register("gone-value", TestSchemas.named("Gone"));
      highest = client.register("kept-value", TestSchemas.named("Kept"));
      client.deleteSubject("gone-value", false);
      RawHttp.Response deleted = new RawHttp(first.url()).send("DELETE", "/subjects/orders-value/versions/1", null);
      assertEquals(200, deleted.status(), deleted.body());
      client.setCompatibility(CompatibilityLevel.FULL);
      client.setCompatibility("kept-value", CompatibilityLevel.NONE);
    }
    try (EmbeddedSchemaRegistry second = startRegistry();
        RestSchemaRegistryClient client = clientOf(second)) {
      assertEquals(List.of("kept-value", "orders-value"), client.subjects());
      assertEquals(List.of(2), client.versions("orders-value"), "version 1 stays soft-deleted");
      RawHttp raw = new RawHttp(second.url());
      assertEquals("[1,2]", raw.get("/subjects/orders-value/versions?deleted=true").body());
      assertEquals("[\"gone-value\",\"kept-value\",\"orders-value\"]", raw.get("/subjects?deleted=true").body());
      RegisteredSchema v2 = client.version("orders-value", 2);
      assertEquals(orderV2, v2.id());
      assertEquals(TestSchemas.orderV2(), v2.schema());
      assertEquals(TestSchemas.orderV1(), client.schemaById(orderV1), "a soft-deleted version's id resolves");
      assertEquals(TestSchemas.named("Gone"), client.schemaById(gone), "a soft-deleted subject's id resolves");
      assertEquals(highest, client.version("kept-value", 1).id());
      assertEquals(CompatibilityLevel.FULL, client.compatibility());
      assertEquals(CompatibilityLevel.NONE, client.compatibility("kept-value"));
      assertEquals(CompatibilityLevel.FULL, client.compatibility("orders-value"));
      assertEquals(highest + 1, client.register("new-value", TestSchemas.named("New")),
          "ids continue after the highest in the topic");
      assertEquals(orderV1, client.register("again-value", TestSchemas.orderV1()), "a known schema keeps its id");
    }
  }

  // --- 4. two registries on one topic

  @Test
  void twoRegistriesOnOneTopicSeeEachOthersWritesAndAgreeOnIds() {
    try (EmbeddedSchemaRegistry a = startRegistry();
        EmbeddedSchemaRegistry b = startRegistry();
        RestSchemaRegistryClient clientA = clientOf(a);
        RestSchemaRegistryClient clientB = clientOf(b)) {
      int id = clientA.register("orders-value", TestSchemas.orderV1());
      // Each of these is asked of B right after A's write: B must catch up with the topic to answer.
      assertEquals(TestSchemas.orderV1(), clientB.schemaById(id));
      assertEquals(new RegisteredSchema("orders-value", id, 1, TestSchemas.orderV1()),
          clientB.version("orders-value", 1));
      assertEquals(1, clientB.lookup("orders-value", TestSchemas.orderV1()).version());
      assertEquals(id, clientB.register("orders-value", TestSchemas.orderV1()), "no second version for B");
      assertEquals(List.of(1), clientB.versions("orders-value"));
      assertEquals(List.of("orders-value"), clientB.subjects());

      int fromB = clientB.register("orders-value", TestSchemas.orderV2());
      assertEquals(TestSchemas.orderV2(), clientA.schemaById(fromB));
      assertEquals(2, clientA.version("orders-value", 2).version());

      // B's setting holds at A: the breaking schema is refused under BACKWARD, accepted under NONE.
      SchemaRegistryException refused = assertThrows(SchemaRegistryException.class,
          () -> clientA.register("orders-value", TestSchemas.orderBreaking()));
      assertEquals(409, refused.status());
      clientB.setCompatibility("orders-value", CompatibilityLevel.NONE);
      int breaking = clientA.register("orders-value", TestSchemas.orderBreaking());
      assertEquals(new RegisteredSchema("orders-value", breaking, 3, TestSchemas.orderBreaking()),
          clientB.version("orders-value", 3));

      // Alternating writers: each decides on a view that includes the other's last write.
      clientA.setCompatibility(CompatibilityLevel.NONE);
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        RestSchemaRegistryClient writer = i % 2 == 0 ? clientA : clientB;
        ids.add(writer.register("alternating-value", TestSchemas.named("Alternating" + i)));
      }
      for (int i = 1; i < ids.size(); i++) {
        assertEquals(ids.get(0) + i, ids.get(i), "consecutive ids: " + ids);
      }
      // Lists are answered from a registry's own view, as Confluent's followers answer: B wrote last, and a write
      // returns once its writer has read it back; A may not have read it yet (asking A raced A's reader thread: seen
      // as [1, 2, 3, 4, 5] once in a fresh clone's run). A look-up of what A does not know yet makes A catch up.
      assertEquals(List.of(1, 2, 3, 4, 5, 6), clientB.versions("alternating-value"));
      assertEquals(clientB.version("alternating-value", 6), clientA.version("alternating-value", 6));
    }
  }

  // --- 5. concurrency

  @Test
  void concurrentRegistrationsThroughTwoRegistriesGetOneIdPerSchema() throws Exception {
    int schemas = 20;
    try (EmbeddedSchemaRegistry a = startRegistry();
        EmbeddedSchemaRegistry b = startRegistry();
        RestSchemaRegistryClient clientA = clientOf(a);
        RestSchemaRegistryClient clientB = clientOf(b)) {
      clientA.setCompatibility(CompatibilityLevel.NONE);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Integer>> throughA = new ArrayList<>();
      List<Future<Integer>> throughB = new ArrayList<>();
      try {
        for (int i = 0; i < schemas; i++) {
          Schema schema = TestSchemas.named("Concurrent" + i);
          throughA.add(pool.submit(() -> clientA.register("shared-value", schema)));
          throughB.add(pool.submit(() -> clientB.register("shared-value", schema)));
        }
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < schemas; i++) {
          int id = throughA.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          assertEquals(id, throughB.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS),
              "schema " + i + " has one id, whichever registry registered it");
          distinct.add(id);
        }
        assertEquals(schemas, distinct.size(), "distinct schemas, distinct ids: " + distinct);
      } finally {
        pool.shutdownNow();
      }
      List<Integer> versions = clientA.versions("shared-value");
      assertEquals(schemas, versions.size(), "one version per schema: " + versions);
      assertEquals(versions, clientB.versions("shared-value"));
      Set<Integer> idsOfVersions = new HashSet<>();
      for (int version : versions) {
        RegisteredSchema atA = clientA.version("shared-value", version);
        assertEquals(atA, clientB.version("shared-value", version));
        idsOfVersions.add(atA.id());
      }
      assertEquals(schemas, idsOfVersions.size());
    }
  }

  // --- 6. what the topic holds

  @Test
  void theTopicHoldsConfluentStyleJsonKeysAndTombstones() throws Exception {
    int id;
    try (EmbeddedSchemaRegistry registry = startRegistry();
        RestSchemaRegistryClient client = clientOf(registry)) {
      id = client.register("orders-value", TestSchemas.orderV1());
      client.setCompatibility(CompatibilityLevel.FULL);
      client.setCompatibility("orders-value", CompatibilityLevel.NONE);
      client.deleteSubject("orders-value", false);
      client.deleteSubject("orders-value", true);
    }
    List<ConsumerRecord<byte[], byte[]>> records = readTopic();
    List<String> keys = new ArrayList<>();
    records.forEach(record -> keys.add(new String(record.key(), StandardCharsets.UTF_8)));

    ConsumerRecord<byte[], byte[]> registered = records.get(0);
    JsonNode value = JSON.readTree(registered.value());
    String schemaText = value.get("schema").asText();
    assertEquals(TestSchemas.orderV1(), TestSchemas.parse(schemaText));
    String schemaKey = "{\"keytype\":\"SCHEMA\",\"subject\":\"orders-value\",\"version\":1,\"id\":" + id
        + ",\"sha256\":\"" + StoreRecord.sha256(schemaText) + "\",\"magic\":1}";
    assertEquals(schemaKey, keys.get(0));
    assertEquals(JSON.readTree("{\"subject\":\"orders-value\",\"version\":1,\"id\":" + id + ",\"schema\":"
        + JSON.writeValueAsString(schemaText) + ",\"deleted\":false}"), value);

    String globalKey = "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}";
    String subjectKey = "{\"keytype\":\"CONFIG\",\"subject\":\"orders-value\",\"magic\":0}";
    assertEquals(List.of(schemaKey, globalKey, subjectKey, schemaKey), keys.subList(0, 4));
    assertEquals(JSON.readTree("{\"compatibilityLevel\":\"FULL\"}"), JSON.readTree(records.get(1).value()));
    assertEquals(JSON.readTree("{\"compatibilityLevel\":\"NONE\"}"), JSON.readTree(records.get(2).value()));
    assertTrue(JSON.readTree(records.get(3).value()).get("deleted").asBoolean(), "the soft delete");

    // The permanent delete: the version's key, and the subject's setting's, with no value, so that compaction
    // removes both.
    assertEquals(List.of(schemaKey, subjectKey), keys.subList(4, keys.size()));
    assertNull(records.get(4).value());
    assertNull(records.get(5).value());
  }

  /** Every record of the store's topic, read with a plain consumer. */
  private List<ConsumerRecord<byte[], byte[]>> readTopic() {
    TopicPartition partition = new TopicPartition(topic, 0);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.clientProperties(
        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), WAIT).get(partition);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (consumer.position(partition, WAIT) < end) {
        if (System.nanoTime() > deadline) {
          fail("not within " + WAIT.toSeconds() + " s: read " + topic + " to offset " + end + "; got " + records.size());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  // --- 7. no broker

  private Map<String, Object> unreachableBroker() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    Map<String, Object> config = new HashMap<>();
    config.put(KafkaSchemaStoreConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort);
    config.put(KafkaSchemaStoreConfig.TOPIC_CONFIG, topic);
    return config;
  }

  @Test
  void anUnreachableBrokerFailsTheStartAsATimeout() throws Exception {
    Map<String, Object> config = unreachableBroker();
    config.put(KafkaSchemaStoreConfig.INIT_TIMEOUT_MS_CONFIG, 1_500);
    SchemaStoreException failed = assertThrows(SchemaStoreException.class,
        () -> EmbeddedSchemaRegistry.start(new KafkaSchemaStore(config)));
    assertTrue(failed.timedOut(), "timedOut(): " + failed);
    assertTrue(failed.getMessage().contains(topic), failed.getMessage());
  }

  @Test
  void anUnreachableBrokerIsATimeoutAlsoWhenTheKafkaClientGivesUpFirst() throws Exception {
    // The admin client's own deadline passes before the store's: Kafka reports it as a failed call, not as the
    // store's wait running out, and the store must still say that it timed out.
    Map<String, Object> config = unreachableBroker();
    config.put(KafkaSchemaStoreConfig.INIT_TIMEOUT_MS_CONFIG, 60_000);
    config.put(KafkaSchemaStoreConfig.PREFIX + "default.api.timeout.ms", 1_000);
    config.put(KafkaSchemaStoreConfig.PREFIX + "request.timeout.ms", 1_000);
    SchemaStoreException failed = assertThrows(SchemaStoreException.class,
        () -> EmbeddedSchemaRegistry.start(new KafkaSchemaStore(config)));
    assertTrue(failed.timedOut(), "timedOut(): " + failed);
    assertTrue(failed.getMessage().contains(topic), failed.getMessage());
  }
}
