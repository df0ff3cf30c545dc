package dev.weft.broker.protocol;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.avro.Argument;
import dev.weft.avro.GraphSpec;
import dev.weft.avro.TaskSpec;
import dev.weft.avro.Value;
import dev.weft.broker.protocol.WireSchemas.Kind;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.codec.GeneratedClasses;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.embedded.EmbeddedSchemaRegistry;
import dev.weft.registry.embedded.InMemorySchemaStore;
import dev.weft.value.MalformedValueException;
import dev.weft.value.internal.BinaryWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outside data must never get past the decoders as anything but a refusal: whatever bytes arrive on a topic, a decode
 * either returns a record or throws a {@link MalformedValueException} (the record goes to the dead letters) or, for
 * graphs, a {@link GraphValidationException} (the graph is rejected). Any other exception would stop the loop that
 * read the record, and every loop that read it after (the record stays where it is).
 */
class WireCodecFuzzTest {
  static {
    GeneratedClasses.trust();
  }

  private static final String GRAPHS = "weft.graphs";
  private static final String TASKS = "weft.tasks.default";
  private static final String RESULTS = "weft.results";
  private static final String EVENTS = "weft.events";

  /** A schema with a field default that is not of the field's type: Avro's parser throws AvroTypeException on it. */
  private static final String BAD_DEFAULT = "{\"type\":\"record\",\"name\":\"Point\",\"namespace\":\"fuzz\","
      + "\"fields\":[{\"name\":\"x\",\"type\":\"int\",\"default\":\"\"}]}";
  /** The same, with a valid default of the same length, so that one can be swapped for the other in encoded bytes. */
  private static final String GOOD_DEFAULT = BAD_DEFAULT.replace("\"default\":\"\"", "\"default\":12");

  private EmbeddedSchemaRegistry registry;
  private RestSchemaRegistryClient client;
  private WireCodec codec;

  @BeforeEach
  void startRegistry() {
    registry = EmbeddedSchemaRegistry.start(new InMemorySchemaStore());
    client = RestSchemaRegistryClient.builder().baseUrl(registry.url()).maxRetries(0).build();
    codec = new WireCodec(client);
  }

  @AfterEach
  void stopRegistry() {
    client.close();
    registry.close();
  }

  private record Sample(Kind kind, String topic, byte[] bytes, Function<byte[], Object> decode) {}

  private List<Sample> samples() {
    GenericRecord point = new GenericData.Record(new Schema.Parser().parse(GOOD_DEFAULT));
    point.put("x", 3);
    Graph graph = Graph.builder().id("g").task("a", "inc", 1L).task("b", "add", ref("a"), List.of(2L, "s"))
        .task("c", "identity", Map.of("k", point, "l", List.of(1.5d, ByteBuffer.wrap(new byte[] {1, 2}))))
        .outputs("b", "c").build();
    List<Sample> samples = new ArrayList<>();
    samples.add(new Sample(Kind.GRAPH_COMMAND, GRAPHS, codec.encode(GRAPHS, new GraphCommand.Submit("g", graph,
        List.of("b"), Map.of("in", new ResultRef(1, 2)), 3, true, "c")), b -> codec.decodeCommand(GRAPHS, b)));
    samples.add(new Sample(Kind.GRAPH_COMMAND, GRAPHS, codec.encode(GRAPHS, new GraphCommand.Cancel("g", "why")),
        b -> codec.decodeCommand(GRAPHS, b)));
    samples.add(new Sample(Kind.READY_TASK, TASKS, codec.encode(TASKS, new ReadyTask("g", "b", 1, "add",
        List.of(new TaskArg.Literal(point), new TaskArg.Located(new ResultRef(0, 7)),
            new TaskArg.ArgList(List.of(new TaskArg.Literal("x")))), 3)), b -> codec.decodeTask(TASKS, b)));
    samples.add(new Sample(Kind.TASK_RESULT, RESULTS, codec.encode(RESULTS, TaskResult.success("g", "c", 1, "w", 5,
        Map.of("p", point, "n", List.of(1L, 2L)))), b -> codec.decodeResult(RESULTS, b, true)));
    samples.add(new Sample(Kind.TASK_RESULT, RESULTS, codec.encode(RESULTS, TaskResult.failure("g", "c", 2, "w", 5,
        new TaskError("java.lang.Error", "m", "trace", false))), b -> codec.decodeResult(RESULTS, b, true)));
    samples.add(new Sample(Kind.GRAPH_EVENT, EVENTS, codec.encode(EVENTS, new GraphEvent("g",
        GraphEvent.Type.FAILED, "c", "f", "msg", 1, 2, Map.of("c", new ResultRef(0, 1)),
        new TaskError("t", null, "s"), "w", 9, List.of(new GraphValidationException.Problem(
            GraphValidationException.Kind.CYCLE, List.of("a"), "cycle")), 0, 3)), b -> codec.decodeEvent(EVENTS, b)));
    return samples;
  }

  /** Decodes, and fails the test if anything but a record or a refusal comes out. */
  private static void decodeOrRefuse(Sample sample, byte[] bytes, String what) {
    try {
      sample.decode().apply(bytes);
    } catch (MalformedValueException e) {
      // refused: the record goes to the dead letters
    } catch (GraphValidationException e) {
      assertEquals(Kind.GRAPH_COMMAND, sample.kind(), "only graphs are rejected as invalid: " + what);
    } catch (Throwable t) {
      fail(sample.kind() + ", " + what + ": " + t, t);
    }
  }

  @Test
  void everyTruncationIsRefused() {
    for (Sample sample : samples()) {
      for (int length = 0; length < sample.bytes().length; length++) {
        byte[] cut = Arrays.copyOf(sample.bytes(), length);
        decodeOrRefuse(sample, cut, "cut to " + length + " bytes");
      }
    }
  }

  @Test
  void flippedAndInsertedBytesAreDecodedOrRefused() {
    Random random = new Random(20261202);
    for (Sample sample : samples()) {
      byte[] original = sample.bytes();
      for (int round = 0; round < 3000; round++) {
        byte[] mutated = original.clone();
        int changes = 1 + random.nextInt(4);
        for (int i = 0; i < changes; i++) {
          // The header too, but mostly the body, where the decoder's work is.
          int at = 5 + random.nextInt(mutated.length - 5);
          switch (random.nextInt(4)) {
            case 0 -> mutated[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> mutated[at] = (byte) random.nextInt(256);
            case 2 -> mutated[at] = (byte) (random.nextBoolean() ? 0x7f : 0xff); // large varints
            default -> {
              byte[] longer = new byte[mutated.length + 1];
              System.arraycopy(mutated, 0, longer, 0, at);
              longer[at] = (byte) random.nextInt(256);
              System.arraycopy(mutated, at, longer, at + 1, mutated.length - at);
              mutated = longer;
            }
          }
        }
        decodeOrRefuse(sample, mutated, "mutation round " + round);
      }
    }
  }

  @Test
  void anEmbeddedRecordSchemaWithAnInvalidDefaultIsRefusedOnEveryTopic() {
    for (Sample sample : samples()) {
      byte[] good = GOOD_DEFAULT.getBytes(StandardCharsets.UTF_8);
      byte[] crafted = replace(sample.bytes(), good, BAD_DEFAULT.getBytes(StandardCharsets.UTF_8));
      if (crafted == null) {
        continue; // this sample carries no record value
      }
      MalformedValueException refused = assertThrows(MalformedValueException.class,
          () -> sample.decode().apply(crafted), sample.kind().toString());
      assertTrue(refused.getMessage().contains("Invalid default"), refused.getMessage());
    }
  }

  @Test
  void aGraphWithNegativeRetriesIsRejectedNamingTheTask() throws Exception {
    TaskSpec task = new TaskSpec("a", "inc", List.of(new Argument(new Value(1L))), 0, -1, null, Map.of());
    GraphSpec spec = new GraphSpec(1, "g", List.of(task), List.of());
    ByteArrayOutputStream graph = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(graph, null);
    new SpecificDatumWriter<>(GraphSpec.class).write(spec, encoder);
    encoder.flush();

    int id = codec.schemaId(GRAPHS, Kind.GRAPH_COMMAND);
    BinaryWriter out = new BinaryWriter(256);
    out.writeRaw(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id}, 0, 5);
    out.writeString("g");
    out.writeInt(0); // a submission
    out.writeRaw(graph.toByteArray(), 0, graph.size());
    out.writeInt(0); // keys: null
    out.writeLong(0); // no inputs
    out.writeInt(0);
    out.writeBoolean(false);
    out.writeString("crafted");
    GraphValidationException rejected = assertThrows(GraphValidationException.class,
        () -> codec.decodeCommand(GRAPHS, out.toByteArray()));
    assertEquals(List.of("a"), rejected.problems().get(0).keys());
    assertTrue(rejected.getMessage().contains("retries must be >= 0, was -1"), rejected.getMessage());
  }

  @Test
  void aRecordOfAnUnknownSchemaIdIsRefused() {
    byte[] bytes = samples().get(0).bytes().clone();
    bytes[1] = 0x7f; // schema id 2 billion and some
    MalformedValueException refused = assertThrows(MalformedValueException.class,
        () -> codec.decodeCommand(GRAPHS, bytes));
    assertInstanceOf(MalformedValueException.class, refused);
    assertTrue(refused.getMessage().contains("which the registry does not know"), refused.getMessage());
  }

  /** A registry that cannot be reached is no fault of the record: never a refusal that would put it aside. */
  @Test
  void aRegistryThatCannotBeReachedIsNotTakenForABadRecord() {
    byte[] bytes = samples().get(0).bytes(); // written under an id this codec's registry gave
    try (RestSchemaRegistryClient unreachable = RestSchemaRegistryClient.builder()
        .baseUrl("http://127.0.0.1:" + closedPort()).maxRetries(0).build()) {
      WireCodec fresh = new WireCodec(unreachable); // knows no id yet: it must ask the registry
      assertThrows(RegistryUnavailableException.class, () -> fresh.decodeCommand(GRAPHS, bytes));
      assertThrows(RegistryUnavailableException.class, () -> fresh.encode(GRAPHS, new GraphCommand.Cancel("g", "")));
    }
  }

  private static int closedPort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code bytes} with the first occurrence of {@code from} replaced by {@code to} (same length); null if absent. */
  private static byte[] replace(byte[] bytes, byte[] from, byte[] to) {
    assertEquals(from.length, to.length);
    outer:
    for (int i = 0; i + from.length <= bytes.length; i++) {
      for (int j = 0; j < from.length; j++) {
        if (bytes[i + j] != from[j]) {
          continue outer;
        }
      }
      byte[] replaced = bytes.clone();
      System.arraycopy(to, 0, replaced, i, to.length);
      return replaced;
    }
    return null;
  }
}
