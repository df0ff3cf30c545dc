package dev.weft.connectors.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.connectors.Sink;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesWriteTest {
  @TempDir
  Path dir;

  private final Tasks tasks = new Tasks();

  private List<String> filesIn(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aPatternNeedsExactlyOneStar() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> TextFiles.writeTo("out/part.txt"));
    assertTrue(none.getMessage().startsWith("the pattern 'out/part.txt' must hold exactly one '*'"), none.getMessage());
    IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
        () -> TextFiles.writeTo("out-*/part-*.txt"));
    assertTrue(two.getMessage().contains("'out-*/part-*.txt'") && two.getMessage().endsWith("it holds 2"),
        two.getMessage());
  }

  @Test
  void eachPartitionWritesTheFileNamedByItsIndexAbsolute() {
    Sink sink = TextFiles.writeTo("out/part-*.json.gz");

    assertEquals(FileFunctions.WRITE_TEXT, sink.function());
    assertEquals(List.of(Path.of("").toAbsolutePath().resolve("out/part-12.json.gz").toString()), sink.args(12, 20));
    assertThrows(IllegalArgumentException.class, () -> sink.args(3, 3));
  }

  @Test
  void linesWrittenReadBackAsTheyWereInMissingFoldersCreated() throws Exception {
    List<List<String>> partitions = List.of(List.of("one", "two é"), List.of(), List.of("🙂", "", "last"));

    List<Object> written = tasks.write(TextFiles.writeTo(dir + "/a/b/part-*.txt"), partitions);

    assertEquals(List.of(dir + "/a/b/part-0.txt", dir + "/a/b/part-1.txt", dir + "/a/b/part-2.txt"), written);
    assertEquals("one\ntwo é\n", Files.readString(dir.resolve("a/b/part-0.txt")));
    assertEquals(List.of("part-0.txt", "part-1.txt", "part-2.txt"), filesIn(dir.resolve("a/b")), "no temporary file");
    assertEquals(partitions, tasks.partitions(TextFiles.lines(dir + "/a/b/part-*.txt")));
  }

  @Test
  void gzipAndBzip2FilesAreCompressedAndReadBack() throws Exception {
    List<List<String>> partitions = List.of(List.of("alpha", "beta"), List.of("gamma"));
    byte[][] magic = {{0x1f, (byte) 0x8b}, {'B', 'Z', 'h'}};
    String[] extensions = {".gz", ".bz2"};
    for (int i = 0; i < extensions.length; i++) {
      String pattern = dir + "/out" + i + "/part-*.txt" + extensions[i];

      tasks.write(TextFiles.writeTo(pattern), partitions);

      byte[] start = Arrays.copyOf(Files.readAllBytes(dir.resolve("out" + i + "/part-0.txt" + extensions[i])),
          magic[i].length);
      assertArrayEquals(magic[i], start, extensions[i] + " magic bytes");
      assertEquals(partitions, tasks.partitions(TextFiles.lines(pattern)), extensions[i]);
    }
  }

  @Test
  void otherValuesAreWrittenAsJsonLinesAndReadBackAsValues() throws Exception {
    Schema schema = SchemaBuilder.record("Order").fields().requiredLong("id").requiredString("item")
        .name("tags").type().array().items().stringType().noDefault().endRecord();
    GenericData.Record order = new GenericData.Record(schema);
    order.put("id", 7L);
    order.put("item", new Utf8("pen"));
    order.put("tags", List.of(new Utf8("blue")));
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("n", 3);
    map.put("x", 1.5);
    map.put("none", null);
    map.put("bytes", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    List<List<Object>> partitions = List.of(Arrays.asList(map, List.of(1L, "two"), true, null), List.of(order));

    tasks.write(TextFiles.writeTo(dir + "/part-*.jsonl.gz"), partitions);

    Map<String, Object> mapRead = new LinkedHashMap<>();
    mapRead.put("n", 3L);
    mapRead.put("x", 1.5);
    mapRead.put("none", null);
    mapRead.put("bytes", "AQID"); // base64
    Map<String, Object> orderRead = new LinkedHashMap<>();
    orderRead.put("id", 7L);
    orderRead.put("item", "pen");
    orderRead.put("tags", List.of("blue"));
    assertEquals(List.of(Arrays.asList(mapRead, List.of(1L, "two"), true, null), List.of(orderRead)),
        tasks.partitions(TextFiles.jsonLines(dir + "/part-*.jsonl.gz")));
  }

  @Test
  void aStringIsWrittenAsItIsNotAsJson() throws Exception {
    tasks.write(TextFiles.writeTo(dir + "/part-*.txt"), List.of(List.of("{\"a\": 1}", "say \"hi\"")));

    assertEquals("{\"a\": 1}\nsay \"hi\"\n", Files.readString(dir.resolve("part-0.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void aFailedWriteLeavesTheFormerFileAndNoTemporaryOne() throws Exception {
    Path target = Files.writeString(dir.resolve("part-0.txt"), "former\n");
    List<Object> items = List.of("fine", Map.of("when", Instant.EPOCH));

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.write(TextFiles.writeTo(dir + "/part-*.txt"), List.of(items)));

    assertEquals(target + " item 1[\"when\"] is a java.time.Instant, which is not a Weft value and has no JSON form",
        error.getMessage());
    assertEquals("former\n", Files.readString(target));
    assertEquals(List.of("part-0.txt"), filesIn(dir));
  }

  @Test
  void aSuccessfulWriteReplacesTheFormerFile() throws Exception {
    Path target = Files.writeString(dir.resolve("part-0.txt"), "former\n");

    tasks.write(TextFiles.writeTo(dir + "/part-*.txt"), List.of(List.of("new")));

    assertEquals("new\n", Files.readString(target));
    assertEquals(List.of("part-0.txt"), filesIn(dir));
  }

  @Test
  void aStringWithALoneSurrogateIsRefusedNamingTheItem() {
    for (String text : new String[] {"bad \uD800 here", "bad at the end \uD800"}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> tasks.write(TextFiles.writeTo(dir + "/part-*.txt"), List.of(List.of("fine", text))));

      assertTrue(error.getMessage().startsWith(dir.resolve("part-0.txt") + " item 1 is not Unicode text: "),
          error.getMessage());
    }
  }
}
