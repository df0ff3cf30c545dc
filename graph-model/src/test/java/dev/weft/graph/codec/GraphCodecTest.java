package dev.weft.graph.codec;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.avro.GraphSpec;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.Task;
import dev.weft.value.MalformedValueException;
import dev.weft.value.internal.BinaryWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

class GraphCodecTest {
  static final Schema POINT = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Point\",\"namespace\":"
      + "\"test\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"},{\"name\":\"y\",\"type\":\"double\"}]}");

  private final GraphCodec codec = new GraphCodec();

  /** A graph with every kind of argument, value and annotation. */
  static Graph sample() {
    GenericRecord point = new GenericData.Record(POINT);
    point.put("x", 1L);
    point.put("y", 2.5);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", 1L);
    map.put("b", List.of("x", ByteBuffer.wrap(new byte[] {9})));
    return Graph.builder()
        .id("sample-graph")
        .task("a", "inc", 1L)
        .task("b", "add", ref("a"), 10)
        .task("c", "list", null, true, 1.5f, 2.5d, "text", ByteBuffer.wrap(new byte[] {1, 2}), map, point,
            List.of(1L, List.of(2L)), Double.NaN)
        .task("d", "sum", List.of(ref("a"), List.of(ref("b"), 3L)))
        .task(Task.of("e", "inc", ref("d")).withPriority(7).withRetries(2).withPool("gpu")
            .withResources(Map.of("GPU", 1.0)))
        .outputs("e", "c")
        .build();
  }

  @Test
  void binaryEncodingRoundTrips() {
    Graph graph = sample();
    Graph decoded = codec.decode(codec.encode(graph));
    assertEquals(graph.tasks().size(), decoded.tasks().size());
    for (int i = 0; i < graph.size(); i++) {
      if (!graph.tasks().get(i).key().equals("c")) {
        assertEquals(graph.tasks().get(i), decoded.tasks().get(i));
      }
    }
    // Records compare by schema and fields; Avro decodes strings as Utf8, so compare their renderings.
    assertEquals(graph.task("c").toString(), decoded.task("c").toString());
    assertEquals(graph.declaredOutputs(), decoded.declaredOutputs());
    assertEquals("sample-graph", decoded.id());
  }

  @Test
  void decodedGraphHoldsOneObjectForEqualKeysFunctionsAndPools() {
    Graph graph = Graph.of(null, List.of(
        Task.of("sum", "sum", Arg.list(ref("inc-0"), ref("inc-1"))).withPool("gpu"),
        Task.of("inc-0", "inc", 0L).withPool("gpu"),
        Task.of("inc-1", "inc", 1L).withPool("gpu"),
        Task.of("copy", "sum", Arg.list(ref("inc-1")))), List.of("sum", "copy"));
    Graph decoded = codec.decode(codec.encode(graph));
    assertEquals(graph, decoded);
    List<Arg> refs = ((Arg.ListArg) decoded.task("sum").args().get(0)).items();
    // A reference read before its task (the sum comes first) and after it: both are the task's own key.
    assertSame(decoded.task("inc-0").key(), ((Arg.Ref) refs.get(0)).key());
    assertSame(decoded.task("inc-1").key(), ((Arg.Ref) refs.get(1)).key());
    assertSame(decoded.task("inc-1").key(),
        ((Arg.Ref) ((Arg.ListArg) decoded.task("copy").args().get(0)).items().get(0)).key());
    assertSame(decoded.task("inc-0").function(), decoded.task("inc-1").function());
    assertSame(decoded.task("sum").function(), decoded.task("copy").function());
    assertSame(decoded.task("sum").pool(), decoded.task("inc-1").pool());
  }

  @Test
  void encodingIsReadableByAvroWithTheGeneratedSchema() throws Exception {
    byte[] bytes = codec.encode(sample());
    GraphSpec spec = new SpecificDatumReader<>(GraphSpec.class).read(null,
        DecoderFactory.get().binaryDecoder(bytes, null));
    assertEquals(5, spec.getTasks().size());
    assertEquals("gpu", spec.getTasks().get(4).getPool());
    assertEquals(GraphCodec.FORMAT_VERSION, spec.getFormatVersion());
  }

  @Test
  void unknownFormatVersionIsRefused() {
    GraphSpec spec = codec.toSpec(sample());
    spec.setFormatVersion(99);
    GraphValidationException e = assertThrows(GraphValidationException.class, () -> codec.fromSpec(spec));
    assertEquals("invalid graph: graph format version 99 is not supported; this reader knows 1 to 1",
        e.getMessage());
  }

  @Test
  void truncatedOrCorruptBytesAreRefusedWithAReason() {
    byte[] bytes = codec.encode(sample());
    for (int cut : new int[] {0, 1, 5, bytes.length / 2, bytes.length - 1}) {
      MalformedValueException e = assertThrows(MalformedValueException.class,
          () -> codec.decode(Arrays.copyOf(bytes, cut)), "cut at " + cut);
      assertTrue(e.getMessage().startsWith("not an encoded graph") || e.getMessage().contains("truncated"),
          e.getMessage());
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    assertEquals("graph encoding has 3 bytes after its end",
        assertThrows(MalformedValueException.class, () -> codec.decode(longer)).getMessage());
  }

  @Test
  void hostileTaskCountIsRefusedBeforeAllocating() {
    BinaryWriter out = new BinaryWriter();
    out.writeInt(1); // formatVersion
    out.writeInt(0); // id: null
    out.writeLong(Integer.MAX_VALUE); // tasks: a block of two billion
    MalformedValueException e = assertThrows(MalformedValueException.class, () -> codec.decode(out.toByteArray()));
    assertTrue(e.getMessage().contains("but only 0 bytes remain"), e.getMessage());
  }

  @Test
  void duplicateKeysInAnEncodedGraphAreRefused() {
    GraphSpec spec = codec.toSpec(Graph.builder().task("a", "inc", 1L).task("b", "inc", 2L).build());
    spec.getTasks().get(1).setKey("a");
    assertThrows(GraphValidationException.class, () -> codec.fromSpec(spec));
  }
}
