package dev.weft.broker.protocol;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.WireSchemas.Kind;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.Task;
import dev.weft.graph.codec.GeneratedClasses;
import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.RegisteredSchema;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.value.MalformedValueException;
import dev.weft.value.internal.BinaryWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WireCodec} against a real registry (the embedded one, over HTTP): every record kind round-trips, the bytes are
 * the Confluent wire format that any Avro reader understands, records of another schema version are resolved, and
 * bytes that are no record fail with a reason.
 */
class WireCodecTest {
  static {
    // Submit carries a graph, which Avro reads into Weft's generated classes: Avro 1.12 loads them only if trusted.
    GeneratedClasses.trust();
  }

  private static final String GRAPHS = "weft.graphs";
  private static final String TASKS = "weft.tasks.default";
  private static final String RESULTS = "weft.results";
  private static final String EVENTS = "weft.events";
  private static final String WORKERS = "weft.workers";

  private static final Schema POINT = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Point\","
      + "\"namespace\":\"test\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"},{\"name\":\"y\",\"type\":\"double\"}]}");

  /** Avro's generic data with maps that keep their order: Avro's readers, the fast one too, make maps here. */
  private static final GenericData ORDERED_MAPS = new GenericData() {
    @Override
    public Object newMap(Object old, int size) {
      return new LinkedHashMap<>();
    }
  };

  private EmbeddedSchemaRegistry registry;
  private RestSchemaRegistryClient client;
  private WireCodec codec;

  @BeforeEach
  void startRegistry() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    client = newClient();
    codec = new WireCodec(client);
  }

  @AfterEach
  void stopRegistry() {
    client.close();
    registry.close();
  }

  /** A client with caches of its own: what it answers came from the registry. */
  private RestSchemaRegistryClient newClient() {
    return RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).build();
  }

  // --- samples

  private static GenericRecord point(long x, double y) {
    GenericRecord point = new GenericData.Record(POINT);
    point.put("x", x);
    point.put("y", y);
    return point;
  }

  /** A value of every type: a map, in an order that is not sorted, of all the others. */
  private static Map<String, Object> everyValue() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("null", null);
    value.put("boolean", true);
    value.put("int", 42);
    value.put("long", 1L << 40);
    value.put("float", 1.5f);
    value.put("double", -2.25d);
    value.put("nan", Double.NaN);
    value.put("string", "héllo ☃");
    value.put("bytes", ByteBuffer.wrap(new byte[] {0, (byte) 0xFF, 7}));
    value.put("list", List.of(1L, List.of("nested", List.of()), Map.of()));
    value.put("record", point(3, 4.5));
    value.put("empty", "");
    return value;
  }

  private static Graph graph() {
    return Graph.builder()
        .id("graph-1")
        .task("a", "inc", 1L)
        .task("b", "add", ref("a"), 10)
        .task("c", "list", null, true, 7, 1.5f, 2.5d, "text", ByteBuffer.wrap(new byte[] {1, 2}), everyValue(),
            point(1, 2.5), List.of(1L, List.of(2L)))
        .task("d", "sum", List.of(ref("a"), List.of(ref("b"), 3L)))
        .task(Task.of("e", "inc", ref("d")).withPriority(7).withRetries(2).withPool("gpu")
            .withResources(Map.of("GPU", 1.0, "memory", 0.5)))
        .outputs("e", "c")
        .build();
  }

  /** Locations in an order that is neither sorted nor hash order. */
  private static Map<String, ResultRef> locations() {
    Map<String, ResultRef> locations = new LinkedHashMap<>();
    locations.put("zeta", new ResultRef(2, 1L << 33));
    locations.put("alpha", new ResultRef(0, 0));
    locations.put("mu", new ResultRef(11, 7));
    return locations;
  }

  private static GraphCommand.Submit submit() {
    return new GraphCommand.Submit("graph-1", graph(), List.of("e", "c"), locations(), 16, true, "client-7");
  }

  private static ReadyTask readyTask() {
    List<TaskArg> args = List.of(
        new TaskArg.Literal(everyValue()),
        new TaskArg.Literal(null),
        new TaskArg.Located(new ResultRef(3, 123_456_789_012L)),
        new TaskArg.ArgList(List.of(new TaskArg.Literal("x"), new TaskArg.Located(new ResultRef(0, 1)),
            new TaskArg.ArgList(List.of(new TaskArg.Literal(5L), new TaskArg.ArgList(List.of()))))));
    return new ReadyTask("graph-1", "c", 2, "list", args, 5);
  }

  private static TaskResult success() {
    return TaskResult.success("graph-1", "c", 1, "worker-3", 987_654_321L, everyValue()).withTaskPartition(5);
  }

  private static TaskResult failure() {
    return TaskResult.failure("graph-1", "d", 3, "worker-1", 5L,
        new TaskError("java.lang.ArithmeticException", "/ by zero", "java.lang.ArithmeticException: / by zero\n"
            + "\tat Example.divide(Example.java:1)\n"));
  }

  private static GraphEvent event() {
    return new GraphEvent("graph-1", GraphEvent.Type.FAILED, "d", "div", "task d failed", 3, 5, locations(),
        new TaskError("java.lang.IllegalStateException", null, "trace", false), "worker-1", 42L,
        List.of(new GraphValidationException.Problem(GraphValidationException.Kind.CYCLE, List.of("a", "b"),
            "a and b depend on each other"),
            new GraphValidationException.Problem(GraphValidationException.Kind.UNKNOWN_FUNCTION, List.of(),
                "no function 'nope'")), 0, 2,
        List.of(new GraphEvent.FunctionProgress("div", 2, 3), new GraphEvent.FunctionProgress("héllo ☃", 1, 1),
            new GraphEvent.FunctionProgress(GraphEvent.OTHER_FUNCTIONS, 0, 1)));
  }

  private static GraphEvent progress() {
    return GraphEvent.progress("graph-1", 7, 12, List.of(new GraphEvent.FunctionProgress("inc", 5, 8),
        new GraphEvent.FunctionProgress("sum", 2, 4)));
  }

  // --- size

  /** A completion that names 100,000 outputs goes in small events that together name them all, once each. */
  @Test
  void aCompletionWithManyOutputsIsWrittenInSmallPartsThatTogetherNameEveryOutput() {
    Map<String, ResultRef> outputs = new LinkedHashMap<>();
    for (int i = 0; i < 100_000; i++) {
      outputs.put("output-" + i, new ResultRef(i % 8, 1_000_000L + i));
    }
    GraphEvent completed = GraphEvent.completed("graph-1", outputs, 100_000, 100_000);
    List<GraphEvent> parts = completed.inParts();
    assertTrue(parts.size() >= 2, parts.size() + " parts");
    Map<String, ResultRef> seen = new LinkedHashMap<>();
    for (int i = 0; i < parts.size(); i++) {
      byte[] encoded = codec.encode(EVENTS, parts.get(i));
      assertTrue(encoded.length <= GraphEvent.MAX_LOCATION_BYTES + 1024, "part " + i + ": " + encoded.length);
      assertTrue(encoded.length > GraphEvent.MAX_LOCATION_BYTES / 2 || i == parts.size() - 1,
          "parts are filled: part " + i + " has " + encoded.length + " bytes");
      GraphEvent part = codec.decodeEvent(EVENTS, encoded);
      assertEquals(i < parts.size() - 1 ? GraphEvent.Type.OUTPUTS : GraphEvent.Type.COMPLETED, part.type());
      part.locations().forEach((key, location) -> assertNull(seen.put(key, location), key + " twice"));
    }
    assertEquals(outputs, seen);
    assertEquals(100_000, parts.get(parts.size() - 1).outputCount());
    GraphEvent small = GraphEvent.completed("graph-1", Map.of("a", new ResultRef(0, 1)), 1, 1);
    assertEquals(List.of(small), small.inParts(), "a small completion is one event, as it was");
  }

  /** A rejection of a graph with thousands of problems, and a failure of megabytes of text, stay small events. */
  @Test
  void aRejectionWithThousandsOfProblemsIsListedInPartAndSaysSo() {
    List<GraphValidationException.Problem> problems = new ArrayList<>();
    List<String> manyKeys = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      manyKeys.add("key-" + i);
      problems.add(new GraphValidationException.Problem(GraphValidationException.Kind.UNKNOWN_FUNCTION,
          List.of("task-" + i), "task 'task-" + i + "' names unknown function 'f-" + i + "'"));
    }
    problems.set(0, new GraphValidationException.Problem(GraphValidationException.Kind.MISSING_DEPENDENCY, manyKeys,
        "x".repeat(1_000_000)));
    GraphEvent rejected = GraphEvent.rejected("graph-1", "y".repeat(1_500_000), problems);
    List<GraphEvent> parts = rejected.inParts();
    assertEquals(1, parts.size());
    byte[] encoded = codec.encode(EVENTS, parts.get(0));
    assertTrue(encoded.length < GraphEvent.MAX_LOCATION_BYTES, encoded.length + " bytes");
    GraphEvent read = codec.decodeEvent(EVENTS, encoded);
    assertEquals(GraphEvent.MAX_PROBLEMS, read.problems().size());
    assertEquals("and 901 more problems, not listed", read.problems().get(GraphEvent.MAX_PROBLEMS - 1).message());
    assertEquals(GraphEvent.MAX_KEYS_PER_PROBLEM, read.problems().get(0).keys().size());
    assertTrue(read.problems().get(0).message().endsWith("(100 of 1000 keys listed)"), "keys cut, and said so");
    assertTrue(read.message().endsWith("[... cut: 1500000 characters in all]"));
  }

  // --- round trips

  @Test
  void everyRecordKindRoundTrips() {
    GraphCommand.Submit submit = submit();
    GraphCommand.Submit decodedSubmit = (GraphCommand.Submit) codec.decodeCommand(GRAPHS,
        codec.encode(GRAPHS, submit));
    assertSubmitEquals(submit, decodedSubmit);
    assertEquals(List.of("zeta", "alpha", "mu"), List.copyOf(decodedSubmit.inputs().keySet()), "inputs keep order");

    GraphCommand.Submit plain = new GraphCommand.Submit("graph-2", Graph.builder().task("a", "inc", 1L).build(),
        null, Map.of(), 0, false, "");
    assertEquals(plain, codec.decodeCommand(GRAPHS, codec.encode(GRAPHS, plain)), "no keys: the graph's outputs");

    GraphCommand.Cancel cancel = new GraphCommand.Cancel("graph-1", "the user pressed ^C");
    assertEquals(cancel, codec.decodeCommand(GRAPHS, codec.encode(GRAPHS, cancel)));

    ReadyTask task = readyTask();
    assertEquals(task, codec.decodeTask(TASKS, codec.encode(TASKS, task)));
    ReadyTask noArgs = new ReadyTask("graph-1", "a", 0, "now", List.of(), -1);
    assertEquals(noArgs, codec.decodeTask(TASKS, codec.encode(TASKS, noArgs)));

    TaskResult success = success();
    TaskResult decodedSuccess = codec.decodeResult(RESULTS, codec.encode(RESULTS, success), true);
    assertEquals(success, decodedSuccess);
    assertEquals(List.copyOf(everyValue().keySet()),
        List.copyOf(((Map<?, ?>) decodedSuccess.value()).keySet()), "a map value keeps its order");
    TaskResult nullValue = TaskResult.success("graph-1", "n", 0, "w", 0, null);
    assertEquals(nullValue, codec.decodeResult(RESULTS, codec.encode(RESULTS, nullValue), true));
    TaskResult failure = failure();
    assertEquals(failure, codec.decodeResult(RESULTS, codec.encode(RESULTS, failure), true));

    GraphEvent event = event();
    GraphEvent decodedEvent = codec.decodeEvent(EVENTS, codec.encode(EVENTS, event));
    assertEquals(event, decodedEvent);
    assertEquals(List.of("zeta", "alpha", "mu"), List.copyOf(decodedEvent.locations().keySet()),
        "locations keep order");
    assertEquals(progress(), codec.decodeEvent(EVENTS, codec.encode(EVENTS, progress())));
    GraphEvent accepted = GraphEvent.accepted("graph-1", 1, 12, progress().functions());
    assertEquals(accepted, codec.decodeEvent(EVENTS, codec.encode(EVENTS, accepted)));
    for (GraphEvent.Type type : GraphEvent.Type.values()) {
      GraphEvent bare = GraphEvent.of("graph-1", type);
      assertEquals(bare, codec.decodeEvent(EVENTS, codec.encode(EVENTS, bare)));
    }

    WorkerReport report = workerReport();
    assertEquals(report, codec.decodeWorkerReport(WORKERS, codec.encode(WORKERS, report)));
    WorkerReport idle = new WorkerReport("w", "gpu", "h", 1, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(),
        List.of(), 0, false);
    assertEquals(idle, codec.decodeWorkerReport(WORKERS, codec.encode(WORKERS, idle)));
  }

  /** Graph equality, but with each task's literals compared by rendering: Avro decodes a record's strings as Utf8. */
  private static void assertSubmitEquals(GraphCommand.Submit expected, GraphCommand.Submit actual) {
    assertEquals(expected.graphId(), actual.graphId());
    assertEquals(expected.keys(), actual.keys());
    assertEquals(expected.inputs(), actual.inputs());
    assertEquals(expected.maxInFlight(), actual.maxInFlight());
    assertEquals(expected.taskEvents(), actual.taskEvents());
    assertEquals(expected.client(), actual.client());
    assertEquals(expected.graph().id(), actual.graph().id());
    assertEquals(expected.graph().declaredOutputs(), actual.graph().declaredOutputs());
    assertEquals(expected.graph().tasks().size(), actual.graph().tasks().size());
    for (int i = 0; i < expected.graph().size(); i++) {
      Task want = expected.graph().tasks().get(i);
      Task got = actual.graph().tasks().get(i);
      assertEquals(want.toString(), got.toString());
      assertEquals(want.args().toString(), got.args().toString());
      assertEquals(List.of(want.priority(), want.retries()), List.of(got.priority(), got.retries()));
      assertEquals(want.pool(), got.pool());
      assertEquals(want.resources(), got.resources());
    }
    assertEquals(expected.graph().task("a"), actual.graph().task("a"));
    assertEquals(expected.graph().task("e"), actual.graph().task("e"));
  }

  // --- the wire format

  @Test
  void theBytesAreTheConfluentWireFormatOfTheRegisteredSchema() throws Exception {
    Map<Kind, String> topics = Map.of(Kind.GRAPH_COMMAND, GRAPHS, Kind.READY_TASK, TASKS, Kind.TASK_RESULT, RESULTS,
        Kind.GRAPH_EVENT, EVENTS, Kind.WORKER_REPORT, WORKERS);
    Map<Kind, byte[]> encoded = samples();
    try (RestSchemaRegistryClient fresh = newClient()) {
      assertEquals(List.of(EVENTS + "-value", GRAPHS + "-value", RESULTS + "-value", TASKS + "-value",
          WORKERS + "-value"), fresh.subjects());
      for (Kind kind : Kind.values()) {
        byte[] bytes = encoded.get(kind);
        String subject = topics.get(kind) + "-value";
        RegisteredSchema registered = fresh.latest(subject);
        assertEquals(WireSchemas.get().schema(kind), registered.schema(), subject);
        assertEquals(0, bytes[0], "magic byte of " + kind);
        int id = registered.id();
        assertArrayEquals(new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id},
            Arrays.copyOfRange(bytes, 1, 5), "big-endian id of " + kind);
        assertEquals(id, codec.schemaId(topics.get(kind), kind));

        // Any Avro reader, given the schema the registry holds, reads the body to its last byte.
        Schema writer = fresh.schemaById(id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
        GenericRecord body = new GenericDatumReader<GenericRecord>(writer).read(null, decoder);
        assertTrue(decoder.isEnd(), "the body of " + kind + " ends with the record");
        assertEquals(kind == Kind.WORKER_REPORT ? "worker-1" : "graph-1",
            body.get(kind == Kind.WORKER_REPORT ? "worker" : "graphId").toString());
      }
    }
    GenericRecord task = genericBody(encoded.get(Kind.READY_TASK), Kind.READY_TASK);
    assertEquals("list", task.get("function").toString());
    assertEquals(4, ((List<?>) task.get("args")).size());
    GenericRecord event = genericBody(encoded.get(Kind.GRAPH_EVENT), Kind.GRAPH_EVENT);
    assertEquals("FAILED", event.get("type").toString());
    // Avro's generic reader puts a map in a HashMap, so only the entries are compared here.
    Map<String, Long> offsets = new LinkedHashMap<>();
    ((Map<?, ?>) event.get("locations")).forEach((key, ref) -> offsets.put(key.toString(),
        (Long) ((GenericRecord) ref).get("offset")));
    assertEquals(Map.of("zeta", 1L << 33, "alpha", 0L, "mu", 7L), offsets);
  }

  /** The body of {@code bytes} as Avro's generic reader reads it with this version's schema. */
  private static GenericRecord genericBody(byte[] bytes, Kind kind) throws Exception {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
    return new GenericDatumReader<GenericRecord>(WireSchemas.get().schema(kind)).read(null, decoder);
  }

  // --- a result without its value

  @Test
  void aResultDecodedWithoutItsValueStopsBeforeIt() {
    ByteBuffer large = ByteBuffer.wrap(new byte[4096]);
    TaskResult result = TaskResult.success("graph-1", "big", 4, "worker-2", 99L, List.of("head", large));
    byte[] bytes = codec.encode(RESULTS, result);

    TaskResult withoutValue = codec.decodeResult(RESULTS, bytes, false);
    assertEquals(new TaskResult("graph-1", "big", 4, "worker-2", 99L, -1, true, null, false, null), withoutValue);
    assertFalse(withoutValue.valueLoaded());
    assertNull(withoutValue.value());

    // Cut inside the value: a reader that stops before the value never sees the damage; one that reads it does.
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 2048);
    assertEquals(withoutValue, codec.decodeResult(RESULTS, cut, false));
    MalformedValueException e = assertThrows(MalformedValueException.class,
        () -> codec.decodeResult(RESULTS, cut, true));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());

    // A failure has no value to skip: its error is read either way.
    assertEquals(failure(), codec.decodeResult(RESULTS, codec.encode(RESULTS, failure()), false));
  }

  // --- schema evolution

  /** {@code kind}'s schema with one more field, of a string type with a default, inserted at {@code position}. */
  private static Schema withExtraField(Kind kind, int position, String name) {
    Schema current = WireSchemas.get().schema(kind);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : current.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(position, new Schema.Field(name, Schema.create(Schema.Type.STRING), "added by a newer Weft",
        "unknown"));
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /**
   * The bytes a newer writer would produce: {@code bytes} rewritten in {@code newer}, under {@code newerId}. Read
   * into maps that keep their order, as the newer writer's own maps would.
   */
  private static byte[] rewrittenAsNewer(byte[] bytes, Kind kind, Schema newer, int newerId, String extra)
      throws Exception {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
    Schema schema = WireSchemas.get().schema(kind);
    GenericRecord current = new GenericDatumReader<GenericRecord>(schema, schema, ORDERED_MAPS).read(null, decoder);
    GenericRecord evolved = new GenericData.Record(newer);
    for (Schema.Field field : current.getSchema().getFields()) {
      evolved.put(field.name(), current.get(field.name()));
    }
    for (Schema.Field field : newer.getFields()) {
      if (current.getSchema().getField(field.name()) == null) {
        evolved.put(field.name(), extra);
      }
    }
    return framed(newerId, newer, evolved);
  }

  /** {@code record} in the Confluent wire format: magic byte, schema id, Avro binary of {@code schema}. */
  private static byte[] framed(int id, Schema schema, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Test
  void recordsOfANewerSchemaWithAnExtraFieldAreReadIntoTheCurrentRecord() throws Exception {
    byte[] submitBytes = codec.encode(GRAPHS, submit());
    byte[] successBytes = codec.encode(RESULTS, success());
    byte[] failureBytes = codec.encode(RESULTS, failure());
    byte[] eventBytes = codec.encode(EVENTS, event());

    // The field sits in the middle, so that reading the newer body as if it were ours would misread what follows.
    Schema newerCommand = withExtraField(Kind.GRAPH_COMMAND, 1, "sender");
    Schema newerResult = withExtraField(Kind.TASK_RESULT, 4, "host");
    Schema newerEvent = withExtraField(Kind.GRAPH_EVENT, 2, "origin");
    assertEquals(CompatibilityLevel.BACKWARD, client.compatibility(RESULTS + "-value"));
    int newerResultId = client.register(RESULTS + "-value", newerResult); // BACKWARD: the new field has a default
    int newerEventId = client.register(EVENTS + "-value", newerEvent);
    int newerCommandId = client.register(GRAPHS + "-value", newerCommand);
    assertEquals(List.of(1, 2), client.versions(RESULTS + "-value"));
    assertTrue(newerResultId != codec.schemaId(RESULTS, Kind.TASK_RESULT));

    byte[] newerSuccess = rewrittenAsNewer(successBytes, Kind.TASK_RESULT, newerResult, newerResultId, "host-9");
    byte[] newerFailure = rewrittenAsNewer(failureBytes, Kind.TASK_RESULT, newerResult, newerResultId, "host-9");
    byte[] newerEvent2 = rewrittenAsNewer(eventBytes, Kind.GRAPH_EVENT, newerEvent, newerEventId, "elsewhere");
    byte[] newerSubmit = rewrittenAsNewer(submitBytes, Kind.GRAPH_COMMAND, newerCommand, newerCommandId, "me");
    assertTrue(newerSuccess.length > successBytes.length);

    // Both the codec that registered this version and one that never wrote (a consumer's) resolve the newer schema.
    try (RestSchemaRegistryClient readerClient = newClient()) {
      for (WireCodec reader : List.of(codec, new WireCodec(readerClient))) {
        TaskResult success = reader.decodeResult(RESULTS, newerSuccess, true);
        assertEquals(success(), success);
        assertEquals(List.copyOf(everyValue().keySet()), List.copyOf(((Map<?, ?>) success.value()).keySet()),
            "a map value keeps its order");
        assertEquals(failure(), reader.decodeResult(RESULTS, newerFailure, true));
        TaskResult header = reader.decodeResult(RESULTS, newerSuccess, false);
        assertEquals("worker-3", header.worker());
        assertEquals(987_654_321L, header.durationNanos());
        GraphEvent decoded = reader.decodeEvent(EVENTS, newerEvent2);
        assertEquals(event(), decoded);
        assertEquals(List.of("zeta", "alpha", "mu"), List.copyOf(decoded.locations().keySet()));
        GraphCommand.Submit submit = (GraphCommand.Submit) reader.decodeCommand(GRAPHS, newerSubmit);
        assertSubmitEquals(submit(), submit);
        assertEquals(List.of("zeta", "alpha", "mu"), List.copyOf(submit.inputs().keySet()), "inputs keep order");
        // And this version's own records, interleaved.
        assertEquals(success(), reader.decodeResult(RESULTS, successBytes, true));
        assertEquals(event(), reader.decodeEvent(EVENTS, eventBytes));
      }
    }
  }

  /**
   * Events of the versions before {@code attempts} and before {@code functions} (schedulers not upgraded yet) are
   * read, what they did not say unknown (0 attempts, no progress by function), and a reader of such a version reads
   * this version's events, passing the newer fields over: the registry's BACKWARD rule and Avro's resolution both
   * ways.
   */
  @Test
  void eventsOfTheVersionsBeforeAttemptsAndFunctionsAndOfThisVersionReadEachOther() throws Exception {
    GraphEvent expected = event();
    GraphEvent withoutFunctions = new GraphEvent(expected.graphId(), expected.type(), expected.taskKey(),
        expected.function(), expected.message(), expected.done(), expected.total(), expected.locations(),
        expected.error(), expected.worker(), expected.durationNanos(), expected.problems(), expected.outputs(),
        expected.attempts(), List.of());
    GraphEvent withoutEither = new GraphEvent(expected.graphId(), expected.type(), expected.taskKey(),
        expected.function(), expected.message(), expected.done(), expected.total(), expected.locations(),
        expected.error(), expected.worker(), expected.durationNanos(), expected.problems(), expected.outputs(), 0,
        List.of());
    assertReadBothWays(List.of("functions"), withoutFunctions);
    assertReadBothWays(List.of("attempts", "functions"), withoutEither);
    GraphEvent progress = progress();
    assertReadBothWays(List.of("functions"), GraphEvent.progress("graph-1", 7, 12));
    assertEquals(progress, codec.decodeEvent(EVENTS, codec.encode(EVENTS, progress)));
  }

  /**
   * An event of this version written by a scheduler of the version without {@code dropped} reads as {@code expected};
   * and that version reads this version's event.
   */
  private void assertReadBothWays(List<String> dropped, GraphEvent expected) throws Exception {
    Schema current = WireSchemas.get().schema(Kind.GRAPH_EVENT);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : current.getFields()) {
      if (!dropped.contains(field.name())) {
        fields.add(new Schema.Field(field, field.schema()));
      }
    }
    Schema before = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    GraphEvent full = expected.type() == GraphEvent.Type.PROGRESS ? progress() : event();
    byte[] ours = codec.encode(EVENTS, full);
    int beforeId = client.register(EVENTS + "-value", before);

    GenericRecord record = new GenericDatumReader<GenericRecord>(current, current, ORDERED_MAPS)
        .read(null, DecoderFactory.get().binaryDecoder(ours, 5, ours.length - 5, null));
    GenericRecord older = new GenericData.Record(before);
    before.getFields().forEach(field -> older.put(field.name(), record.get(field.name())));
    assertEquals(expected, codec.decodeEvent(EVENTS, framed(beforeId, before, older)), "without " + dropped);
    assertEquals(full, codec.decodeEvent(EVENTS, ours));

    GenericRecord readByTheEarlierVersion = new GenericDatumReader<GenericRecord>(current, before)
        .read(null, DecoderFactory.get().binaryDecoder(ours, 5, ours.length - 5, null));
    assertEquals(full.done(), readByTheEarlierVersion.get("done"));
    assertEquals(String.valueOf(full.taskKey()), String.valueOf(readByTheEarlierVersion.get("taskKey")));
  }

  @Test
  void aRecordOfAnUnknownSchemaIdIsRefusedNamingTheId() {
    byte[] bytes = codec.encode(RESULTS, success());
    int unknown = 424_242;
    byte[] renamed = bytes.clone();
    ByteBuffer.wrap(renamed, 1, 4).putInt(unknown);
    try (RestSchemaRegistryClient readerClient = newClient()) {
      for (WireCodec reader : List.of(codec, new WireCodec(readerClient))) {
        MalformedValueException e = assertThrows(MalformedValueException.class,
            () -> reader.decodeResult(RESULTS, renamed, true));
        assertTrue(e.getMessage().contains("schema id " + unknown), e.getMessage());
      }
    }
  }

  // --- bad input

  /** Each decoder of the codec, by the kind it decodes. */
  private Map<Kind, Function<byte[], Object>> decoders() {
    return Map.of(
        Kind.GRAPH_COMMAND, data -> codec.decodeCommand(GRAPHS, data),
        Kind.READY_TASK, data -> codec.decodeTask(TASKS, data),
        Kind.TASK_RESULT, data -> codec.decodeResult(RESULTS, data, true),
        Kind.GRAPH_EVENT, data -> codec.decodeEvent(EVENTS, data),
        Kind.WORKER_REPORT, data -> codec.decodeWorkerReport(WORKERS, data));
  }

  private Map<Kind, byte[]> samples() {
    return Map.of(
        Kind.GRAPH_COMMAND, codec.encode(GRAPHS, submit()),
        Kind.READY_TASK, codec.encode(TASKS, readyTask()),
        Kind.TASK_RESULT, codec.encode(RESULTS, success()),
        Kind.GRAPH_EVENT, codec.encode(EVENTS, event()),
        Kind.WORKER_REPORT, codec.encode(WORKERS, workerReport()));
  }

  private static WorkerReport workerReport() {
    return new WorkerReport("worker-1", "default", "host-a", 4242, 1_700_000_000_123L, 1_700_000_000_000L, 4, 10, 1,
        1 << 20, 7, 3, 64L << 20, 512L << 20, List.of(0, 3, 5),
        List.of(new WorkerReport.RunningTask("graph-1", "sleep-3", "sleep", 2, 1_700_000_000_100_000L)),
        List.of(new WorkerReport.TaskSpan("graph-1", "inc-1", "inc", 1, 1_700_000_000_050_000L, 250, 12, 9, true,
                new ResultRef(2, 1L << 33)),
            new WorkerReport.TaskSpan("graph-1", "bad", "fail", 3, 1_700_000_000_060_000L, 1000, -1, 80, false,
                null)),
        5, true);
  }

  private static void assertMalformed(Function<byte[], Object> decoder, byte[] data, String because, String what) {
    MalformedValueException e = assertThrows(MalformedValueException.class, () -> decoder.apply(data), what);
    assertTrue(e.getMessage().contains(because), what + ": " + e.getMessage());
  }

  @Test
  void noValueAShortValueOrAnotherMagicByteIsRefused() {
    Map<Kind, byte[]> samples = samples();
    decoders().forEach((kind, decoder) -> {
      assertMalformed(decoder, null, "has no value", kind + " null");
      for (int length = 0; length < 5; length++) {
        assertMalformed(decoder, Arrays.copyOf(samples.get(kind), length),
            "has " + length + " bytes, fewer than the 5 of the Confluent header", kind + " of " + length + " bytes");
      }
      byte[] otherMagic = samples.get(kind).clone();
      otherMagic[0] = 1;
      assertMalformed(decoder, otherMagic, "starts with byte 1, not the Confluent wire format's magic byte 0",
          kind + " with magic 1");
    });
  }

  @Test
  void everyTruncationOfEveryKindIsRefused() {
    Map<Kind, byte[]> samples = samples();
    decoders().forEach((kind, decoder) -> {
      byte[] whole = samples.get(kind);
      for (int length = 5; length < whole.length; length++) {
        byte[] cut = Arrays.copyOf(whole, length);
        MalformedValueException e = assertThrows(MalformedValueException.class, () -> decoder.apply(cut),
            kind + " cut to " + length + " of " + whole.length + " bytes");
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("remain"),
            kind + " cut to " + length + ": " + e.getMessage());
      }
    });
  }

  @Test
  void trailingBytesAreRefused() {
    Map<Kind, byte[]> samples = samples();
    Map<Kind, String> names = Map.of(Kind.GRAPH_COMMAND, "Submit", Kind.READY_TASK, "ReadyTask", Kind.TASK_RESULT,
        "TaskResult", Kind.GRAPH_EVENT, "GraphEvent", Kind.WORKER_REPORT, "WorkerReport");
    decoders().forEach((kind, decoder) -> {
      byte[] longer = Arrays.copyOf(samples.get(kind), samples.get(kind).length + 3);
      assertMalformed(decoder, longer, "3 bytes after the end of a " + names.get(kind), kind + " with 3 more bytes");
    });
  }

  /** The header of a record of {@code kind} on {@code topic}, as this codec writes it. */
  private BinaryWriter header(String topic, Kind kind) {
    int id = codec.schemaId(topic, kind);
    BinaryWriter out = new BinaryWriter();
    byte[] header = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
    out.writeRaw(header, 0, header.length);
    return out;
  }

  @Test
  void aHugeClaimedCountIsRefusedBeforeAnythingIsAllocated() {
    for (long count : new long[] {Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, -(1L << 40), Long.MIN_VALUE}) {
      // A ready task's arguments.
      BinaryWriter task = header(TASKS, Kind.READY_TASK);
      task.writeString("graph-1");
      task.writeString("t");
      task.writeInt(0);
      task.writeString("f");
      task.writeLong(count);
      if (count < 0) {
        task.writeLong(8); // a negative count is followed by the block's size in bytes
      }
      task.writeInt(0);
      byte[] taskBytes = task.toByteArray();
      assertMalformed(data -> codec.decodeTask(TASKS, data), taskBytes, "items, but only",
          "ready task with " + count + " arguments");

      // A list inside a value.
      BinaryWriter result = header(RESULTS, Kind.TASK_RESULT);
      result.writeString("graph-1");
      result.writeString("t");
      result.writeInt(0);
      result.writeString("w");
      result.writeLong(0);
      result.writeInt(-1); // the task's partition
      result.writeInt(0); // outcome: a value
      result.writeInt(8); // the value: an array
      result.writeLong(count);
      if (count < 0) {
        result.writeLong(8);
      }
      result.writeInt(0);
      byte[] resultBytes = result.toByteArray();
      assertMalformed(data -> codec.decodeResult(RESULTS, data, true), resultBytes, "items, but only",
          "result with a list of " + count + " items");

      // An event's locations.
      BinaryWriter event = header(EVENTS, Kind.GRAPH_EVENT);
      event.writeString("graph-1");
      event.writeInt(0); // ACCEPTED
      event.writeInt(0);
      event.writeInt(0);
      event.writeInt(0);
      event.writeInt(0);
      event.writeInt(0);
      event.writeLong(count);
      if (count < 0) {
        event.writeLong(8);
      }
      byte[] eventBytes = event.toByteArray();
      assertMalformed(data -> codec.decodeEvent(EVENTS, data), eventBytes, "items, but only",
          "event with " + count + " locations");

      // A submitted graph's tasks, read by Avro's reader through the bounded decoder.
      BinaryWriter command = header(GRAPHS, Kind.GRAPH_COMMAND);
      command.writeString("graph-1");
      command.writeInt(0); // submit
      command.writeInt(1); // graph format version
      command.writeInt(0); // graph id: null
      command.writeLong(count);
      if (count < 0) {
        command.writeLong(8);
      }
      byte[] commandBytes = command.toByteArray();
      assertMalformed(data -> codec.decodeCommand(GRAPHS, data), commandBytes, "items, but only",
          "graph of " + count + " tasks");
    }
  }
}
