package dev.weft.registry.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.TestSchemas;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What the registry keeps in its store: restarts, registries sharing a log, concurrent writers. */
class RegistryStorageTest {

  private static RestSchemaRegistryClient clientOf(EmbeddedSchemaRegistry registry) {
    return RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).build();
  }

  @Test
  void aRestartedRegistryFindsEverythingItsLogHolds() {
    InMemorySchemaStore.Log log = new InMemorySchemaStore.Log();
    int v1;
    int other;
    try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(new InMemorySchemaStore(log));
        RestSchemaRegistryClient client = clientOf(first)) {
      v1 = client.register("orders-value", TestSchemas.orderV1());
      client.register("orders-value", TestSchemas.orderV2());
      other = client.register("gone-value", TestSchemas.named("Gone"));
      client.deleteSubject("gone-value", false);
      client.setCompatibility(CompatibilityLevel.FULL);
      client.setCompatibility("orders-value", CompatibilityLevel.NONE);
    }
    try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(new InMemorySchemaStore(log));
        RestSchemaRegistryClient client = clientOf(second)) {
      assertEquals(List.of("orders-value"), client.subjects());
      assertEquals(List.of(1, 2), client.versions("orders-value"));
      assertEquals(v1, client.version("orders-value", 1).id());
      assertEquals(TestSchemas.named("Gone"), client.schemaById(other));
      assertEquals(CompatibilityLevel.FULL, client.compatibility());
      assertEquals(CompatibilityLevel.NONE, client.compatibility("orders-value"));
      int next = client.register("new-value", TestSchemas.named("New"));
      assertEquals(other + 1, next, "ids continue after the highest in the log");
    }
  }

  @Test
  void registriesSharingALogAgreeOnIdsAndSeeEachOthersWrites() {
    InMemorySchemaStore.Log log = new InMemorySchemaStore.Log();
    try (EmbeddedSchemaRegistry a = EmbeddedSchemaRegistry.start(new InMemorySchemaStore(log));
        EmbeddedSchemaRegistry b = EmbeddedSchemaRegistry.start(new InMemorySchemaStore(log));
        RestSchemaRegistryClient clientA = clientOf(a);
        RestSchemaRegistryClient clientB = clientOf(b)) {
      int id = clientA.register("orders-value", TestSchemas.orderV1());
      assertEquals(id, clientB.register("orders-value", TestSchemas.orderV1()));
      assertEquals(id, clientB.register("other-value", TestSchemas.orderV1()));
      assertEquals(TestSchemas.orderV1(), clientB.schemaById(id));
      clientB.setCompatibility("orders-value", CompatibilityLevel.NONE);
      clientA.register("orders-value", TestSchemas.orderBreaking()); // allowed: B's setting holds at A
      assertEquals(List.of(1, 2), clientB.versions("orders-value"));
    }
  }

  @Test
  void concurrentRegistrationsThroughTwoRegistriesGetDistinctIdsAndVersions() throws Exception {
    InMemorySchemaStore.Log log = new InMemorySchemaStore.Log();
    int schemas = 40;
    try (EmbeddedSchemaRegistry a = EmbeddedSchemaRegistry.start(new InMemorySchemaStore(log));
        EmbeddedSchemaRegistry b = EmbeddedSchemaRegistry.start(new InMemorySchemaStore(log));
        RestSchemaRegistryClient clientA = clientOf(a);
        RestSchemaRegistryClient clientB = clientOf(b)) {
      clientA.setCompatibility(CompatibilityLevel.NONE);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Integer>> ids = new ArrayList<>();
        for (int i = 0; i < schemas; i++) {
          RestSchemaRegistryClient client = i % 2 == 0 ? clientA : clientB;
          String name = "S" + (i / 2); // each schema is registered twice, once through each registry
          ids.add(pool.submit(() -> client.register("shared", TestSchemas.named(name))));
        }
        for (int i = 0; i < schemas; i += 2) {
          assertEquals(ids.get(i).get(), ids.get(i + 1).get(), "one schema, one id, whichever registry");
        }
        HashSet<Integer> distinct = new HashSet<>();
        for (Future<Integer> id : ids) {
          distinct.add(id.get());
        }
        assertEquals(schemas / 2, distinct.size());
      } finally {
        pool.shutdownNow();
      }
      List<Integer> versions = clientB.versions("shared");
      assertEquals(schemas / 2, versions.size());
      assertEquals(versions, clientA.versions("shared"));
      for (int version : versions) {
        assertEquals(clientA.version("shared", version), clientB.version("shared", version));
      }
    }
  }

  /** An in-memory store whose writes fail, first outright and then by timing out. */
  private static final class FailingStore implements SchemaStore {
    private final InMemorySchemaStore reads = new InMemorySchemaStore();
    private boolean failedOnce;

    @Override
    public void open(Listener listener) {
      reads.open(listener);
    }

    @Override
    public void sync() {}

    @Override
    public synchronized <T> T update(Supplier<Update<T>> writer) {
      writer.get();
      boolean timedOut = failedOnce;
      failedOnce = true;
      throw new SchemaStoreException(timedOut ? "no answer in time" : "disk on fire", timedOut, null);
    }

    @Override
    public void close() {
      reads.close();
    }
  }

  @Test
  void aFailingStoreIsAnsweredWith50001AndATimeoutWith50002() {
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new FailingStore());
        RestSchemaRegistryClient client = clientOf(registry)) {
      SchemaRegistryException failed = assertThrows(SchemaRegistryException.class,
          () -> client.register("s", TestSchemas.orderV1()));
      assertEquals(500, failed.status());
      assertEquals(50001, failed.errorCode());
      assertTrue(failed.registryMessage().contains("disk on fire"), failed.registryMessage());
      SchemaRegistryException timedOut = assertThrows(SchemaRegistryException.class,
          () -> client.setCompatibility(CompatibilityLevel.FULL));
      assertEquals(50002, timedOut.errorCode());
      assertEquals(List.of(), client.subjects(), "reads still work");
    }
  }

  @Test
  void theOneMachineModeStartsARegistryOnlyWhenNoneIsConfigured() {
    try (RegistryEndpoint configured = RegistryEndpoint.configuredOrEmbedded(" http://registry:8081 ", () -> {
      throw new AssertionError("no store is needed for a configured registry");
    })) {
      assertEquals("http://registry:8081", configured.url());
      assertFalse(configured.embedded());
    }
    String url;
    try (RegistryEndpoint embedded = RegistryEndpoint.configuredOrEmbedded(null, InMemorySchemaStore::new);
        RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(embedded.url()).build()) {
      assertTrue(embedded.embedded());
      url = embedded.url();
      assertEquals(List.of(), client.subjects());
    }
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(url).maxRetries(0).build()) {
      assertEquals(SchemaRegistryException.NO_RESPONSE,
          assertThrows(SchemaRegistryException.class, client::subjects).status(), "stopped with the endpoint");
    }
  }

  @Test
  void aStoreCanBeOpenedOnlyOnceAndUsedOnlyWhileOpen() {
    InMemorySchemaStore store = new InMemorySchemaStore();
    assertThrows(IllegalStateException.class, store::sync);
    store.open(record -> true);
    assertThrows(IllegalStateException.class, () -> store.open(record -> true));
    store.close();
    assertThrows(IllegalStateException.class, () -> store.update(() -> SchemaStore.Update.of(1)));
  }

  @Test
  void kafkaStoreConfigurationHasDefaultsAndPassesClientSettingsThrough() {
    KafkaSchemaStoreConfig config = new KafkaSchemaStoreConfig(Map.of(
        KafkaSchemaStoreConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092,127.0.0.1:9093",
        "kafkastore.security.protocol", "SSL"));
    assertEquals("_weft_schemas", config.topic());
    assertEquals(Map.of("bootstrap.servers", "127.0.0.1:9092,127.0.0.1:9093", "security.protocol", "SSL"),
        config.clientProperties());
    assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> new KafkaSchemaStore(Map.of()));
  }
}
