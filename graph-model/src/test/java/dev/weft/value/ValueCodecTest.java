package dev.weft.value;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.avro.RecordValue;
import dev.weft.avro.Value;
import dev.weft.value.internal.BinaryWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class ValueCodecTest {
  private static final Schema POINT = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Point\","
      + "\"fields\":[{\"name\":\"x\",\"type\":\"long\"},{\"name\":\"tags\",\"type\":{\"type\":\"array\","
      + "\"items\":\"string\"}}]}");

  static {
    dev.weft.graph.codec.GeneratedClasses.trust();
  }

  private final ValueCodec codec = new ValueCodec();

  private static GenericRecord point(long x) {
    GenericRecord record = new GenericData.Record(POINT);
    record.put("x", x);
    record.put("tags", List.of("a", "b"));
    return record;
  }

  private static List<Object> samples() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("one", 1L);
    map.put("none", null);
    map.put("nested", List.of(Map.of("deep", "yes")));
    return Arrays.asList(null, true, false, 0, -1, Integer.MAX_VALUE, 0L, Long.MIN_VALUE, Long.MAX_VALUE, 1.25f,
        Double.NaN, -0.0d, "", "ascii", "unicode \u00e9\u4e2d\ud83d\ude00", "x".repeat(1000),
        ByteBuffer.wrap(new byte[] {0, 1, (byte) 255}), ByteBuffer.allocate(200_000), List.of(), List.of(1L, "two",
            List.of(3.0d)), map, Map.of());
  }

  @Test
  void everyValueRoundTrips() {
    for (Object value : samples()) {
      assertEquals(value, codec.decode(codec.encode(value)), "value " + value);
    }
  }

  @Test
  void recordsRoundTripWithTheirSchema() {
    GenericRecord decoded = (GenericRecord) codec.decode(codec.encode(point(7)));
    assertEquals(POINT, decoded.getSchema());
    assertEquals(7L, decoded.get("x"));
    assertEquals("[a, b]", decoded.get("tags").toString());
  }

  @Test
  void encodingIsAvrosEncodingOfTheValueSchema() throws Exception {
    // Our hand-written writer and Avro's writer of the generated Value class produce the same bytes, both ways.
    for (Object value : samples()) {
      byte[] ours = codec.encode(value);
      ByteArrayOutputStream theirs = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(theirs, null);
      new SpecificDatumWriter<>(Value.class).write(toAvro(value), encoder);
      encoder.flush();
      assertArrayEquals(theirs.toByteArray(), ours, "value " + value);
      Value read = new SpecificDatumReader<>(Value.class).read(null,
          DecoderFactory.get().binaryDecoder(ours, null));
      assertEquals(toAvro(value), read, "value " + value);
    }
  }

  private static Value toAvro(Object value) {
    if (value instanceof List) {
      List<Value> items = new ArrayList<>();
      ((List<?>) value).forEach(item -> items.add(toAvro(item)));
      return new Value(items);
    }
    if (value instanceof Map) {
      Map<String, Value> entries = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> entries.put((String) k, toAvro(v)));
      return new Value(entries);
    }
    if (value instanceof GenericRecord) {
      return new Value(RecordValue.newBuilder().setFingerprint(0).setSchemaId(null).setSchema$(null)
          .setData(ByteBuffer.allocate(0)).build());
    }
    return new Value(value instanceof ByteBuffer ? ((ByteBuffer) value).duplicate() : value);
  }

  @Test
  void largeBytesAreNotCopiedOnTheWayInOrOut() {
    ByteBuffer blob = ByteBuffer.allocate(16 << 20);
    blob.put(12345, (byte) 42);
    BinaryWriter writer = new BinaryWriter();
    codec.write(blob, writer);
    ByteBuffer[] parts = writer.toBuffers();
    assertTrue(Arrays.stream(parts).anyMatch(p -> p.hasArray() && p.array() == blob.array()),
        "the 16 MB array travels as itself");
    byte[] encoded = writer.toByteArray();
    ByteBuffer decoded = (ByteBuffer) codec.decode(encoded);
    assertEquals(16 << 20, decoded.remaining());
    assertEquals(42, decoded.get(12345));
    assertTrue(decoded.isReadOnly(), "a slice of the input, not a copy");
  }

  /** A bounded writer refuses a value as its encoding passes the limit, whether its bytes are copied or referenced. */
  @Test
  void aLimitedWriterRefusesAValueAsItPassesTheLimit() {
    List<Long> many = new ArrayList<>();
    for (long i = 0; i < 1_000; i++) {
      many.add(i);
    }
    BinaryWriter fits = new BinaryWriter(16).limitedTo(4_000);
    codec.write(many, fits);
    assertEquals(many, codec.decode(fits.toByteArray()), "under the limit, the same encoding");
    ValueTooLargeException buffered = assertThrows(ValueTooLargeException.class,
        () -> codec.write(many, new BinaryWriter(16).limitedTo(1_000)));
    assertEquals(1_000, buffered.limit());
    BinaryWriter referenced = new BinaryWriter().limitedTo(1 << 20);
    assertThrows(ValueTooLargeException.class, () -> codec.write(ByteBuffer.allocate(2 << 20), referenced));
    assertTrue(referenced.length() < 16, "refused before it was referenced: " + referenced.length());
    // Buffered bytes after a referenced part count too, even where the buffer had room for them: a list whose buffer
    // grew to 64 KiB, a part that takes almost all the rest, then small items that fit the buffer's spare room.
    List<Object> mixed = new ArrayList<>();
    for (long i = 0; i < 11_000; i++) {
      mixed.add(i);
    }
    mixed.add(ByteBuffer.allocate((1 << 20) - 40_000)); // about 36 KB went before it
    for (long i = 0; i < 5_000; i++) { // about 15 KB, under the 29 KB the buffer has spare
      mixed.add(i);
    }
    BinaryWriter bounded = new BinaryWriter(16).limitedTo(1 << 20);
    assertThrows(ValueTooLargeException.class, () -> codec.write(mixed, bounded));
    assertTrue(bounded.length() <= 1 << 20, bounded.length() + " bytes written under a limit of " + (1 << 20));
  }

  @Test
  void nonValuesAreRefusedWithTheirPath() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> codec.encode(List.of(1L, Map.of("k", List.of(new Object())))));
    assertEquals("cannot encode value[1][\"k\"][0]: a java.lang.Object is not a Weft value", e.getMessage());
  }

  @Test
  void truncatedInputIsNamed() {
    byte[] encoded = codec.encode("hello world");
    MalformedValueException e = assertThrows(MalformedValueException.class,
        () -> codec.decode(Arrays.copyOf(encoded, 5)));
    assertEquals("a string of 11 bytes, but only 3 remain: truncated or corrupt", e.getMessage());
  }

  @Test
  void hugeLengthsAndCountsAreRefusedBeforeAllocating() {
    BinaryWriter string = new BinaryWriter();
    string.writeInt(6);
    string.writeLong(Integer.MAX_VALUE - 1);
    assertThrows(MalformedValueException.class, () -> codec.decode(string.toByteArray()));

    BinaryWriter array = new BinaryWriter();
    array.writeInt(8);
    array.writeLong(1L << 40);
    MalformedValueException e = assertThrows(MalformedValueException.class, () -> codec.decode(array.toByteArray()));
    assertTrue(e.getMessage().contains("items, but only 0 bytes remain"), e.getMessage());
  }

  @Test
  void deepNestingIsRefused() {
    BinaryWriter nested = new BinaryWriter();
    for (int i = 0; i < 100; i++) {
      nested.writeInt(8);
      nested.writeLong(1);
    }
    MalformedValueException e = assertThrows(MalformedValueException.class, () -> codec.decode(nested.toByteArray()));
    assertEquals("value nested deeper than 64 levels", e.getMessage());
  }

  @Test
  void whatAReaderWouldRefuseForItsDepthIsNotWritten() {
    List<Object> deepest = new ArrayList<>();
    List<Object> outer = deepest;
    for (int i = 1; i < 64; i++) {
      outer = new ArrayList<>(List.of(outer));
    }
    List<Object> sixtyFour = outer;
    assertEquals(sixtyFour, codec.decode(codec.encode(sixtyFour)), "64 levels are written and read");
    assertThrows(IllegalArgumentException.class, () -> codec.encode(List.of(sixtyFour)), "65 levels");
    ValueCodec shallow = new ValueCodec(new DecodeLimits(3, 1_000), RecordSchemas.embedded());
    Object threeLevels = List.of(Map.of("in", List.of()));
    assertEquals(threeLevels, shallow.decode(shallow.encode(threeLevels)));
    IllegalArgumentException tooDeep = assertThrows(IllegalArgumentException.class,
        () -> shallow.encode(List.of(Map.of("in", List.of(List.of())))));
    assertEquals("cannot encode value[0][\"in\"][0]: it is nested deeper than 3 levels, the most a reader takes",
        tooDeep.getMessage());
    List<Object> holdsItself = new ArrayList<>();
    holdsItself.add(holdsItself);
    IllegalArgumentException cycle = assertThrows(IllegalArgumentException.class, () -> codec.encode(holdsItself));
    assertTrue(cycle.getMessage().endsWith("it is nested deeper than 64 levels, the most a reader takes"),
        cycle.getMessage());
    assertTrue(cycle.getMessage().startsWith("cannot encode value[0][0]"), cycle.getMessage());
  }

  @Test
  void recordsNestedThroughARecursiveSchemaAreRefusedNotOverflowed() throws Exception {
    Schema node = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
        + "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
    GenericRecord head = new GenericData.Record(node);
    for (int i = 0; i < 50_000; i++) {
      GenericRecord previous = new GenericData.Record(node);
      previous.put("next", head);
      head = previous;
    }
    GenericRecord chain = head;
    // Written where the stack is deep enough, as a peer with other limits might; read here, it must not overflow.
    byte[][] bytes = new byte[1][];
    Thread writer = new Thread(null, () -> bytes[0] = codec.encode(chain), "deep-writer", 1L << 30);
    writer.start();
    writer.join();
    assertTrue(bytes[0] != null && bytes[0].length > 50_000, "the deep record was written");
    MalformedValueException e = assertThrows(MalformedValueException.class, () -> codec.decode(bytes[0]));
    assertEquals("record of schema Node is nested too deeply to decode", e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> codec.encode(chain)).getMessage()
        .endsWith("record of schema Node is nested too deeply to encode"));
  }

  @Test
  void unknownBranchAndTrailingBytesAreRefused() {
    assertEquals("unknown value branch 11 (this reader knows 0 to 10)",
        assertThrows(MalformedValueException.class, () -> codec.decode(new byte[] {22})).getMessage());
    assertEquals("1 bytes after the end of the value",
        assertThrows(MalformedValueException.class, () -> codec.decode(new byte[] {0, 0})).getMessage());
  }

  @Test
  void recordWithoutAKnownOrEmbeddedSchemaIsRefused() {
    RecordSchemas registryLike = new RecordSchemas() {
      @Override
      public Schema byFingerprint(long fingerprint) {
        return null;
      }

      @Override
      public boolean embed(Schema schema) {
        return false;
      }

      @Override
      public void remember(long fingerprint, Schema schema) {}
    };
    byte[] encoded = new ValueCodec(DecodeLimits.DEFAULT, registryLike).encode(point(1));
    MalformedValueException e = assertThrows(MalformedValueException.class,
        () -> new ValueCodec(DecodeLimits.DEFAULT, RecordSchemas.embedded()).decode(encoded));
    assertTrue(e.getMessage().contains("which is unknown here, and embeds none"), e.getMessage());
  }

  @Test
  void recordWhoseEmbeddedSchemaDoesNotMatchItsFingerprintIsRefused() {
    byte[] encoded = codec.encode(point(1));
    encoded[1] ^= 0x02; // flip a bit of the fingerprint, which follows the branch byte
    MalformedValueException e = assertThrows(MalformedValueException.class,
        () -> new ValueCodec().decode(encoded));
    assertTrue(e.getMessage().contains("embedded schema has fingerprint"), e.getMessage());
  }

  @Test
  void recordArrayOfZeroByteItemsIsBoundedByTheItemLimit() {
    Schema nulls = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Nulls\",\"fields\":[{\"name\":\"n\","
        + "\"type\":{\"type\":\"array\",\"items\":\"null\"}}]}");
    GenericRecord record = new GenericData.Record(nulls);
    record.put("n", Arrays.asList(new Object[5000]));
    byte[] encoded = codec.encode(record);
    ValueCodec strict = new ValueCodec(new DecodeLimits(64, 1000), RecordSchemas.embedded());
    MalformedValueException e = assertThrows(MalformedValueException.class, () -> strict.decode(encoded));
    assertTrue(e.getMessage().contains("exceeds the item limit"), e.getMessage());
    assertEquals(5000, ((List<?>) ((GenericRecord) codec.decode(encoded)).get("n")).size());
  }
}
