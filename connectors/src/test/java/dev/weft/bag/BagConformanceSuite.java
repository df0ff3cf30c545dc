package dev.weft.bag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.connectors.kafka.KafkaTopics;
import dev.weft.connectors.kafka.TopicFormat;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.registry.serde.AvroSerializer;
import java.util.Comparator;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import dev.weft.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.weft.graph.Task;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@link Bag} computes, the same on every scheduler, each answer checked against plain Java: a scheduler's
 * test class extends this and says how to select the scheduler (as the scheduler conformance suite).
 */
@WithKafka
public abstract class BagConformanceSuite {
  /** For the topic tests; started by the first that needs it. */
  private static EmbeddedSchemaRegistry registry;

  /** 0..99 in 7 partitions of 14 or 15. */
  protected static final List<Long> NUMBERS = LongStream.range(0, 100).boxed().toList();

  /** The options that select the scheduler under test. */
  protected abstract ComputeOptions scheduler();

  protected Bag<Long> numbers() {
    return Bag.from(NUMBERS, 7);
  }

  /** Whether tasks run in the test's JVM, where lambdas can run. */
  protected boolean runsLambdas() {
    return Weft.schedulerFor(scheduler().over(Weft.currentOptions())).runsTasksInThisJvm();
  }

  @Test
  void fromKeepsItemsAndOrder() {
    assertEquals(NUMBERS, numbers().compute(scheduler()));
    assertEquals(7, numbers().npartitions());
    assertEquals(List.of(), Bag.from(List.of(), 4).compute(scheduler()));
  }

  @Test
  void mapWithARegisteredFunctionAndExtraArguments() {
    assertEquals(NUMBERS.stream().map(n -> n + 1).toList(), numbers().map("inc").compute(scheduler()));
    assertEquals(NUMBERS.stream().map(n -> n * 3).toList(), numbers().map("mul", 3L).compute(scheduler()));
  }

  @Test
  void filter() {
    assertEquals(NUMBERS.stream().filter(n -> n % 2 == 0).toList(), numbers().filter("test.even").compute(scheduler()));
  }

  @Test
  void flatMapAndFlatten() {
    List<Long> twice = NUMBERS.stream().flatMap(n -> java.util.stream.Stream.of(n, n)).toList();
    assertEquals(twice, numbers().flatMap("test.twice").compute(scheduler()));
    assertEquals(twice, numbers().map("test.twice").flatten().compute(scheduler()));
  }

  @Test
  void pluckByKeyAndByIndex() {
    List<Map<String, Object>> people = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      people.add(Map.of("name", "p" + i, "age", i));
    }
    assertEquals(people.stream().map(p -> p.get("name")).toList(),
        Bag.from(people, 3).pluck("name").compute(scheduler()));
    assertEquals(NUMBERS, numbers().map("test.twice").pluck(1).compute(scheduler()));
  }

  @Test
  void frequencies() {
    Map<Object, Long> expected = new LinkedHashMap<>();
    NUMBERS.forEach(n -> expected.merge(n % 5, 1L, Long::sum));
    Map<Object, Long> counts = numbers().map("test.mod", 5L).frequencies().computeMap(scheduler());
    assertEquals(expected, counts);
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(counts.keySet()), "first occurrence order");
  }

  @Test
  void topkByItemByIndexAndByKeyFunction() {
    assertEquals(List.of(99L, 98L, 97L), numbers().topk(3).compute(scheduler()));
    assertEquals(List.of(0L, 1L), numbers().topk(2, "test.negate").compute(scheduler()));
    // Pairs by their count: mod 7 of 0..99 gives 15 for 0 and 1, 14 for the others; ties keep first-seen order.
    assertEquals(List.of(List.of(0L, 15L), List.of(1L, 15L), List.of(2L, 14L)),
        numbers().map("test.mod", 7L).frequencies().topk(3, 1).compute(scheduler()));
  }

  @Test
  void distinct() {
    assertEquals(List.of(0L, 1L, 2L), numbers().map("test.mod3").distinct().compute(scheduler()));
  }

  @Test
  void mapPartitions() {
    assertEquals(List.of(14L, 14L, 14L, 14L, 15L, 14L, 15L).stream().mapToLong(Long::longValue).sum(),
        numbers().mapPartitions("test.sizes").sum().compute(scheduler()));
    assertEquals(7L, numbers().mapPartitions("test.sizes").count().compute(scheduler()), "one size per partition");
  }

  @Test
  void countSumMinMaxMean() {
    assertEquals(100L, numbers().count().compute(scheduler()));
    assertEquals(4950L, numbers().sum().compute(scheduler()));
    assertEquals(0L, numbers().min().compute(scheduler()));
    assertEquals(99L, numbers().max().compute(scheduler()));
    assertEquals(49.5, numbers().mean().compute(scheduler()));
    assertEquals(0L, Bag.from(List.of(), 3).count().compute(scheduler()));
    assertEquals(0L, Bag.from(List.of(), 3).sum().compute(scheduler()));
  }

  @Test
  void reductionsOfAnEmptyBagThatHaveNoAnswerSaySo() {
    Exception max = assertThrows(Exception.class, () -> Bag.from(List.of(), 3).max().compute(scheduler()));
    assertTrue(messages(max).contains("max of an empty bag"), messages(max));
    Exception mean = assertThrows(Exception.class, () -> Bag.from(List.of(), 3).mean().compute(scheduler()));
    assertTrue(messages(mean).contains("mean of an empty bag"), messages(mean));
  }

  @Test
  void foldWithAndWithoutInitial() {
    assertEquals(4950L, numbers().fold("add").compute(scheduler()));
    assertEquals(4950L + 8 * 1000L, numbers().fold("add", "add", 1000L).compute(scheduler()),
        "the initial value starts each of the 7 partitions' folds and the combining fold");
    Exception empty = assertThrows(Exception.class, () -> Bag.from(List.of(), 2).fold("add").compute(scheduler()));
    assertTrue(messages(empty).contains("fold with no initial value of an empty bag"), messages(empty));
  }

  @Test
  void reductionAsATreeOfAggregates() {
    Bag<Long> many = Bag.from(NUMBERS, 100);
    Item<Number> total = many.reduction("sum", "sum", 3);
    assertEquals(4950L, total.compute(scheduler()));
    for (Task task : total.toGraph(false).tasks()) {
      assertTrue(task.dependencies().size() <= 3, task + " reads more than split_every partials");
    }
  }

  @Test
  void foldbyAndGroupby() {
    Map<Long, Long> sums = new TreeMap<>();
    NUMBERS.forEach(n -> sums.merge(n % 3, n, Long::sum));
    Map<Object, Object> folded = numbers().foldby("test.mod3", "add", 0L, "add", 0L).computeMap(scheduler());
    assertEquals(sums, new TreeMap<>(folded));
    assertEquals(sums, new TreeMap<>(numbers().foldby("test.mod3", "add", "add").computeMap(scheduler())));

    Map<Long, List<Long>> groups = NUMBERS.stream().collect(Collectors.groupingBy(n -> n % 3, TreeMap::new,
        Collectors.toList()));
    Bag<List<Object>> grouped = numbers().groupby("test.mod3", 2);
    assertEquals(2, grouped.npartitions());
    Map<Object, Object> computed = grouped.computeMap(scheduler());
    assertEquals(groups, new TreeMap<>(computed), "each key once, its items in partition order");
  }

  @Test
  void takeReadsTheFirstPartitionsOnly() {
    assertEquals(List.of(0L, 1L, 2L), numbers().take(3, 1, scheduler()));
    assertEquals(NUMBERS.subList(0, 14), numbers().take(50, 1, scheduler()), "the first partition holds 14");
    assertEquals(NUMBERS.subList(0, 50), numbers().take(50, -1, scheduler()));
  }

  @Test
  void computedWithTheScopedConfigurationAndAsASavedGraph(@TempDir Path folder) throws Exception {
    Bag<List<Object>> counted = numbers().map("test.mod", 4L).frequencies();
    try (Weft.Scope scope = Weft.scoped(scheduler())) {
      assertEquals(Map.of(0L, 25L, 1L, 25L, 2L, 25L, 3L, 25L), counted.computeMap());
    }
    Path saved = folder.resolve("counted.json");
    dev.weft.graph.codec.GraphJson.write(counted.toGraph(), saved);
    Graph read = dev.weft.graph.codec.GraphJson.read(saved);
    String output = counted.partitionKeys().get(0);
    assertEquals(counted.compute(scheduler()), Weft.compute(read, scheduler(), output).get(output));
  }

  @Test
  void aLinearChainIsFusedIntoOneTaskPerPartition() {
    Bag<List<Object>> counted = numbers().map("inc").filter("test.even").map("test.mod", 10L).frequencies();
    Graph graph = counted.toGraph();
    assertEquals(7 + 1, graph.size(), "7 fused partition chains and one combine: " + graph.tasks());
    Bag<List<Object>> top = counted.topk(2, 1);
    assertEquals(7 + 1, top.toGraph().size(), "a reduction of one partition is fused into it: " + top.toGraph());
    assertEquals(top.compute(ComputeOptions.defaults().with(Bag.OPTIMIZE_GRAPH, false).over(scheduler())),
        top.compute(scheduler()));
    assertEquals(2, top.compute(scheduler()).size());
    assertEquals(counted.computeMap(scheduler()),
        counted.computeMap(ComputeOptions.defaults().with(Bag.OPTIMIZE_GRAPH, false).over(scheduler())));
  }

  @Test
  void aStepThatFailsInsideAFusedTaskIsNamed() {
    Bag<Long> failingStep = numbers().map("inc").map("test.fail-on", 42L);
    Bag<Long> failing = failingStep.map("inc");
    Exception failure = assertThrows(Exception.class, () -> failing.compute(scheduler()));
    String text = messages(failure);
    assertTrue(text.contains("item 42 fails on purpose"), text);
    // 42 is in the third partition (items 28 to 41 are the second): its fail-on step, not the maps around it.
    assertTrue(text.contains("step '" + failingStep.partitionKeys().get(2) + "' (weft.bag.map) failed"), text);
  }

  @Test
  void lambdasRunInThisJvmAndAreRefusedUpFrontElsewhere() {
    Bag<Long> doubled = numbers().map((Long n) -> n * 2).filter(n -> n % 3 == 0);
    List<Long> expected = NUMBERS.stream().map(n -> n * 2).filter(n -> n % 3 == 0).toList();
    if (runsLambdas()) {
      assertEquals(expected, doubled.compute(scheduler()));
      assertEquals(expected.stream().mapToLong(Long::longValue).sum(),
          doubled.fold(Long::sum).compute(scheduler()));
      Map<Object, Object> byMod = doubled.foldby((Long n) -> n % 4, (Long a, Long n) -> a + n, 0L, Long::sum)
          .computeMap(scheduler());
      Map<Long, Long> expectedByMod = new TreeMap<>();
      expected.forEach(n -> expectedByMod.merge(n % 4, n, Long::sum));
      assertEquals(expectedByMod, new TreeMap<>(byMod));
      assertEquals(List.of(0L, 6L), doubled.topk(2, (Function<Long, Long>) n -> -n).compute(scheduler()));
      assertEquals(expected.size() * 2L, doubled.flatMap(n -> List.of(n, n)).count().compute(scheduler()));
      assertEquals((long) expected.size(), doubled.mapPartitions(items -> List.of((long) items.size()))
          .sum().compute(scheduler()));
      assertEquals(expected.stream().mapToLong(Long::longValue).max().getAsLong(),
          doubled.reduction(items -> items.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE),
              (List<Long> maxima) -> maxima.stream().mapToLong(Long::longValue).max().getAsLong())
              .compute(scheduler()));
    } else {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> doubled.compute(scheduler()));
      assertTrue(refused.getMessage().contains("cannot run"), refused.getMessage());
      assertTrue(refused.getMessage().contains("FunctionModule"), refused.getMessage());
    }
  }

  @Test
  void theSeedsJsonJob(@TempDir Path folder) throws Exception {
    // db.read_text('*.json').map(json.loads).pluck('name').frequencies(): 100 alice, 200 bob, 300 charlie.
    String[] names = {"alice", "bob", "charlie"};
    for (int file = 0; file < 3; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 600; i++) {
        if (i % 3 == file) {
          lines.append("{\"name\": \"").append(names[i < 100 ? 0 : i < 300 ? 1 : 2]).append("\", \"n\": ")
              .append(i).append("}\n");
        }
      }
      Files.writeString(folder.resolve("people-" + file + ".json"), lines);
    }
    Map<Object, Object> expected = Map.of("alice", 100L, "bob", 200L, "charlie", 300L);
    assertEquals(expected, Bag.readText(folder + "/*.json").map(ItemFunctions.PARSE_JSON).pluck("name")
        .frequencies().computeMap(scheduler()));
    assertEquals(expected, Bag.readJson(folder + "/*.json", 1000).pluck("name").frequencies()
        .computeMap(scheduler()), "the same in blocks of 1000 bytes");
  }

  @Test
  void writtenToFilesAndReadBackCompressedWithAnEmptyFileAmongThem(@TempDir Path folder) throws Exception {
    Bag<String> words = Bag.from(List.of("one", "two", "three", "four", "five"), 3).map("upper");
    List<String> written = words.toTextFiles(folder + "/out/part-*.txt.gz", scheduler());
    assertEquals(3, written.size());
    assertTrue(written.get(2).endsWith("part-2.txt.gz"), written.toString());
    Files.writeString(folder.resolve("out/part-3.txt.gz.empty"), "");
    Files.write(folder.resolve("out/part-9.txt"), new byte[0]);
    assertEquals(List.of("ONE", "TWO", "THREE", "FOUR", "FIVE"),
        Bag.readText(folder + "/out/part-?.txt.gz").compute(scheduler()));
    assertEquals(List.of(), Bag.readText(folder + "/out/part-9.txt").compute(scheduler()));
    assertEquals(5L, Bag.readText(folder + "/out/part-*").count().compute(scheduler()));
  }

  @Test
  void aWordCountGivesWhatItsStepsGiveWhenItsKernelRunsIt(@TempDir Path folder) throws Exception {
    // ASCII and other words, whitespace beyond ASCII (U+2003, U+3000: they split words; U+00A0 does not), CRLF, blank
    // lines, and blocks that cut lines: the kernel counts bytes, the steps count strings.
    String[] vocabulary = {"alpha", "beta", "gamma", "\u00e9t\u00e9", "na\u00efve", "\u65e5\u672c", "a\u00a0b", "x"};
    String[] spaces = {" ", "  ", "\t", "\u2003", "\u3000", " \u000b "};
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    Map<Object, Long> expected = new LinkedHashMap<>();
    for (int file = 0; file < 3; file++) {
      StringBuilder text = new StringBuilder();
      for (int line = 0; line < 400; line++) {
        int words = random.nextInt(6);
        for (int w = 0; w < words; w++) {
          String word = vocabulary[random.nextInt(vocabulary.length)];
          text.append(w == 0 && random.nextBoolean() ? " " : "").append(word)
              .append(w < words - 1 ? spaces[random.nextInt(spaces.length)] : "");
        }
        text.append(random.nextInt(4) == 0 ? "\r\n" : "\n");
      }
      Files.writeString(folder.resolve("text-" + file + ".txt"), text);
    }
    Bag<List<Object>> counted = Bag.readText(folder + "/*.txt", 700).flatMap(ItemFunctions.SPLIT_WORDS)
        .frequencies();
    assertTrue(counted.toGraph().tasks().stream()
        .anyMatch(task -> task.function().equals("weft.files.word-frequencies")),
        "the kernel runs the word count: " + counted.toGraph().tasks());
    Map<Object, Object> byKernel = counted.computeMap(scheduler());
    Map<Object, Object> bySteps = counted.computeMap(ComputeOptions.defaults().with(Bag.OPTIMIZE_GRAPH, false)
        .over(scheduler()));
    assertEquals(bySteps, byKernel);
    assertEquals(new ArrayList<>(bySteps.keySet()), new ArrayList<>(byKernel.keySet()), "first occurrence order");
    for (int file = 0; file < 3; file++) {
      for (String line : Files.readAllLines(folder.resolve("text-" + file + ".txt"))) {
        for (String word : dev.weft.connectors.Words.split(line)) {
          expected.merge(word, 1L, Long::sum);
        }
      }
    }
    assertEquals(expected, byKernel);
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(byKernel.keySet()));
  }

  @Test
  void aWordCountOfOneFileRunsInTheKernelToo(@TempDir Path folder) throws Exception {
    Files.writeString(folder.resolve("one.txt"), "b a b\nc b  a\n");
    Bag<List<Object>> top = Bag.readText(folder + "/one.txt").flatMap(ItemFunctions.SPLIT_WORDS).frequencies()
        .topk(2, 1);
    assertEquals("weft.files.word-frequencies",
        dev.weft.graph.optimize.FusedFunctions.steps(top.toGraph().tasks().get(0)).get(0).function(),
        "the kernel, then the reduction of one partition: " + top.toGraph().tasks());
    assertEquals(List.of(List.of("b", 3L), List.of("a", 2L)), top.compute(scheduler()));
  }

  @Test
  void aWordCountOfAFileThatIsNotUtf8NamesTheLine(@TempDir Path folder) throws Exception {
    Files.write(folder.resolve("bad.txt"), new byte[] {'o', 'k', '\n', 'b', (byte) 0xC3, '(', '\n'});
    Exception failure = assertThrows(Exception.class, () -> Bag.readText(folder + "/bad.txt")
        .flatMap(ItemFunctions.SPLIT_WORDS).frequencies().compute(scheduler()));
    assertTrue(messages(failure).contains("bad.txt line 2: not UTF-8"), messages(failure));
  }

  @Test
  void aGlobThatMatchesNothingIsRefusedNamingIt(@TempDir Path folder) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> Bag.readText(folder + "/nothing-*.txt"));
    assertTrue(refused.getMessage().contains("nothing-*.txt"), refused.getMessage());
  }

  @Test
  void aMalformedJsonLineFailsTheComputeNamingFileAndLine(@TempDir Path folder) throws Exception {
    Files.writeString(folder.resolve("good.json"), "{\"a\": 1}\n");
    Files.writeString(folder.resolve("orders-3.json"), "{\"a\": 1}\n{\"a\": 2}\n{\"a\": x}\n");
    Exception failure = assertThrows(Exception.class,
        () -> Bag.readJson(folder + "/*.json").pluck("a").sum().compute(scheduler()));
    String text = messages(failure);
    assertTrue(text.contains("orders-3.json line 3: not JSON"), text);
  }

  @Test
  void aTopicWithAvroValues(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("people", 3);
    Map<String, Object> connection = topicConnection(kafka);
    Schema person = SchemaBuilder.record("Person").namespace("dev.weft.test").fields()
        .requiredLong("id").requiredString("name").endRecord();
    Map<Object, Long> expected = new LinkedHashMap<>();
    try (AvroSerializer serializer = new AvroSerializer();
         KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
             new ByteArraySerializer(), new ByteArraySerializer())) {
      serializer.configure(Map.of("schema.registry.url", registry.url()), false);
      for (long id = 0; id < 60; id++) {
        GenericRecord record = new GenericData.Record(person);
        record.put("id", id);
        record.put("name", "p" + id % 4);
        expected.merge("p" + id % 4, 1L, Long::sum);
        producer.send(new ProducerRecord<>(topic, (int) (id % 3), null, serializer.serialize(topic, record)));
      }
      producer.flush();
    }
    Bag<GenericRecord> people = Bag.fromTopic(connection, topic, TopicFormat.AVRO);
    assertEquals(3, people.npartitions(), "one partition per Kafka partition");
    assertEquals(expected, new TreeMap<>(people.pluck("name").frequencies().computeMap(scheduler())));
    assertEquals(1770L, people.pluck("id").sum().compute(scheduler()));
  }

  @Test
  void writtenToATopicAsAvroAndJsonAndReadBack(TestKafka kafka) {
    Map<String, Object> connection = topicConnection(kafka);
    List<Map<String, Object>> people = new ArrayList<>();
    for (long id = 0; id < 25; id++) {
      people.add(Map.of("id", id, "name", "p" + id % 4));
    }
    Schema person = SchemaBuilder.record("Person").namespace("dev.weft.test").fields()
        .requiredLong("id").requiredString("name").endRecord();
    String avro = kafka.createTopic("people-avro", 2);
    assertEquals(25L, Bag.from(people, 4).toTopic(KafkaTopics.sink(connection, avro, TopicFormat.AVRO)
        .withRecordSchema(person), scheduler()));
    assertTrue(registrySubjects().contains(avro + "-value"), registrySubjects().toString());
    List<Object> ids = new ArrayList<>(Bag.fromTopic(connection, avro, TopicFormat.AVRO).pluck("id")
        .compute(scheduler()));
    ids.sort(Comparator.comparingLong(id -> (Long) id));
    assertEquals(NUMBERS.subList(0, 25), ids);

    String json = kafka.createTopic("people-json", 1);
    assertEquals(25L, Bag.from(people, 3).toTopic(KafkaTopics.sink(connection, json, TopicFormat.JSON),
        scheduler()));
    List<Map<String, Object>> read = new ArrayList<>(Bag.<Map<String, Object>>fromTopic(connection, json,
        TopicFormat.JSON).compute(scheduler()));
    // Partitions are written by tasks that may run at once: each partition's items keep their order, not the bag's.
    read.sort(Comparator.comparingLong(item -> (Long) item.get("id")));
    assertEquals(people, read);
  }

  private static synchronized EmbeddedSchemaRegistry registry() {
    if (registry == null) {
      registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    }
    return registry;
  }

  private static Map<String, Object> topicConnection(TestKafka kafka) {
    Map<String, Object> connection = new LinkedHashMap<>();
    connection.put("bootstrap.servers", kafka.clientProperties().get("bootstrap.servers"));
    connection.put("schema.registry.url", registry().url());
    return connection;
  }

  private static List<String> registrySubjects() {
    try (RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfigs(Map.of("schema.registry.url",
        registry().url()))) {
      return client.subjects();
    }
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }

  /** The messages of {@code failure} and its causes, as a user reading the stack trace sees them. */
  protected static String messages(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
    }
    return text.toString();
  }
}
