package dev.weft.connectors.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.connectors.PartitionRead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextLinesTest {
  @TempDir
  Path dir;

  private final Tasks tasks = new Tasks();

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void linesEndAtNewlinesOrCrlfAndKeepALoneCarriageReturn() throws Exception {
    write("a.txt", "one\r\ntwo\n\nfour\rstill four\r\n\r\nlast");

    assertEquals(List.of("one", "two", "", "four\rstill four", "", "last"),
        tasks.items(TextFiles.lines(dir + "/a.txt")));
  }

  @Test
  void aTrailingNewlineEndsTheLastLineAndMakesNoEmptyOne() throws Exception {
    write("a.txt", "x\ny\n");
    write("b.txt", "\n");

    assertEquals(List.of(List.of("x", "y"), List.of("")), tasks.partitions(TextFiles.lines(dir + "/*.txt")));
  }

  @Test
  void eachFileIsAPartitionInPathOrderAndAnEmptyFileIsOneWithNoLine() throws Exception {
    write("b.txt", "b1\nb2\n");
    write("a.txt", "a1\n");
    write("c.txt", "");

    List<PartitionRead> plan = TextFiles.lines(dir + "/*.txt").partitions();
    assertEquals(List.of(FileFunctions.READ_TEXT, FileFunctions.READ_TEXT, FileFunctions.READ_TEXT),
        plan.stream().map(PartitionRead::function).toList());
    assertEquals(List.of(dir + "/a.txt", 0L, -1L), plan.get(0).args());
    assertEquals(List.of(List.of("a1"), List.of("b1", "b2"), List.of()),
        tasks.partitions(TextFiles.lines(dir + "/*.txt")));
    assertEquals(List.of(List.of()), tasks.partitions(TextFiles.lines(dir + "/c.txt", 4)));
  }

  @Test
  void multiByteCharactersAreDecoded() throws Exception {
    write("u.txt", "héllo wörld\n日本語\n🙂 emoji\n");

    assertEquals(List.of("héllo wörld", "日本語", "🙂 emoji"), tasks.items(TextFiles.lines(dir + "/u.txt")));
  }

  /**
   * Every block size from 1 byte to past the file's size, over lines of every length from 0 up, in UTF-8 of 1 to 4
   * bytes, ended by LF or CRLF, with and without a final terminator: the blocks read each line exactly once, in order,
   * and each line belongs to the block it starts in.
   */
  @Test
  void blocksOfEverySizeReadEveryLineExactlyOnce() throws Exception {
    List<String> lines = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    String[] characters = {"a", "é", "語", "🙂", "\r"};
    for (int length = 0; length < 12; length++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < length; i++) {
        line.append(characters[(length + i) % characters.length]);
      }
      if (line.toString().endsWith("\r")) {
        line.append('x'); // a line ending in '\r' before "\n" would be a CRLF line
      }
      lines.add(line.toString());
      text.append(line).append(length % 3 == 0 ? "\r\n" : "\n");
    }
    for (String ending : new String[] {"", "\n", "\r\n"}) {
      Path file = write("blocks.txt", text + "tail" + ending);
      List<String> expected = new ArrayList<>(lines);
      expected.add("tail");
      long size = Files.size(file);
      for (long blocksize = 1; blocksize <= size + 1; blocksize++) {
        List<List<?>> partitions = tasks.partitions(TextFiles.lines(file.toString(), blocksize));
        assertEquals((size + blocksize - 1) / blocksize, partitions.size(), "blocks of " + blocksize);
        List<Object> read = new ArrayList<>();
        partitions.forEach(read::addAll);
        assertEquals(expected, read, "blocks of " + blocksize + " bytes, file ending in " + ending.length());
      }
    }
  }

  @Test
  void aLineStartingExactlyAtABlockStartBelongsToThatBlock() throws Exception {
    Path file = write("x.txt", "abc\ndef\nghi\n"); // lines start at bytes 0, 4 and 8

    assertEquals(List.of(List.of("abc"), List.of("def"), List.of("ghi")),
        tasks.partitions(TextFiles.lines(file.toString(), 4)));
    assertEquals(List.of(List.of("abc", "def"), List.of("ghi"), List.of()),
        tasks.partitions(TextFiles.lines(file.toString(), 5)));
    assertEquals(List.of("def"), tasks.call(FileFunctions.READ_TEXT, List.of(file.toString(), 4L, 1L)));
    assertEquals(List.of("ghi"), tasks.call(FileFunctions.READ_TEXT, List.of(file.toString(), 5L, 4L)));
    assertEquals(List.of("def", "ghi"), tasks.call(FileFunctions.READ_TEXT, List.of(file.toString(), 4, -1)));
  }

  /** Lines longer than the scanner's chunks, and many lines across chunk boundaries, in blocks of a few sizes. */
  @Test
  void largeFilesWithLongLinesReadAsTheLinesWritten() throws Exception {
    Random random = new Random(42);
    List<String> expected = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      int length = i % 500 == 7 ? 1_500_000 + random.nextInt(100_000) : random.nextInt(3000);
      StringBuilder line = new StringBuilder(length);
      for (int j = 0; j < length; j++) {
        line.append((char) ('a' + random.nextInt(26)));
      }
      if (i % 11 == 0) {
        line.append('é');
      }
      expected.add(line.toString());
      text.append(line).append(i % 2 == 0 ? "\n" : "\r\n");
    }
    Path file = write("large.txt", text.toString());

    assertEquals(expected, tasks.items(TextFiles.lines(file.toString())));
    for (long blocksize : new long[] {10_000, 1 << 20, 3_333_333}) {
      assertEquals(expected, tasks.items(TextFiles.lines(file.toString(), blocksize)), "blocks of " + blocksize);
    }
  }

  @Test
  void gzipFilesOfSeveralMembersAreOnePartitionWhateverTheBlocksize() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (String member : new String[] {"one\ntwo\n", "three\r\nfour"}) {
      try (OutputStream gzip = new GZIPOutputStream(bytes)) {
        gzip.write(member.getBytes(StandardCharsets.UTF_8));
      }
    }
    Path file = Files.write(dir.resolve("a.txt.gz"), bytes.toByteArray());

    List<PartitionRead> plan = TextFiles.lines(file.toString(), 4).partitions();
    assertEquals(List.of(List.of(file.toString(), 0L, -1L)), plan.stream().map(PartitionRead::args).toList());
    assertEquals(List.of("one", "two", "three", "four"), tasks.items(TextFiles.lines(file.toString(), 4)));
  }

  @Test
  void bzip2FilesAreDecompressed() throws Exception {
    Path file = dir.resolve("a.txt.bz2");
    try (OutputStream bzip2 = new BZip2CompressorOutputStream(Files.newOutputStream(file))) {
      bzip2.write("α\nβ\n".getBytes(StandardCharsets.UTF_8));
    }

    assertEquals(List.of("α", "β"), tasks.items(TextFiles.lines(dir + "/*.bz2")));
  }

  @Test
  void aBlockOfACompressedFileIsRefused() throws Exception {
    Path file = dir.resolve("a.txt.gz");
    try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(file))) {
      gzip.write("x\n".getBytes(StandardCharsets.UTF_8));
    }

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.call(FileFunctions.READ_TEXT, List.of(file.toString(), 10L, 100L)));
    assertTrue(error.getMessage().startsWith(file + " is gzip-compressed, so it is read whole"), error.getMessage());
  }

  @Test
  void aCorruptGzipFileIsAnErrorNamingIt() throws Exception {
    Path file = write("bad.txt.gz", "not gzip at all\n");

    IOException error = assertThrows(IOException.class, () -> tasks.items(TextFiles.lines(file.toString())));
    assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
  }

  @Test
  void invalidUtf8IsAnErrorNamingTheFileAndTheLine() throws Exception {
    byte[] bytes = "good\nstill good \uFFFD\nbad \u00e9 here\n".getBytes(StandardCharsets.UTF_8);
    int badByte = "good\nstill good \uFFFD\nbad ".getBytes(StandardCharsets.UTF_8).length;
    bytes[badByte + 1] = 'x'; // é is C3 A9: C3 followed by 'x' is malformed
    Path file = Files.write(dir.resolve("latin.txt"), bytes);

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.items(TextFiles.lines(file.toString())));
    assertEquals(file + " line 3: not UTF-8: a malformed sequence of 1 byte at byte 4 of the line (byte " + badByte
        + " of the file)", error.getMessage());
  }

  @Test
  void invalidUtf8InALaterBlockNamesTheLineFromTheBlockAndItsByteInTheFile() throws Exception {
    byte[] bytes = "aaaa\nbbbb\ncccc\n\u00e9\n".getBytes(StandardCharsets.UTF_8);
    bytes[15] = (byte) 0xff; // the first byte of the fourth line, which starts at byte 15
    Path file = Files.write(dir.resolve("x.txt"), bytes);

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.call(FileFunctions.READ_TEXT, List.of(file.toString(), 8L, -1L)));
    assertTrue(error.getMessage().startsWith(file + " line 2 counted from the block at byte 8 (the line starts at byte"
        + " 15): not UTF-8"), error.getMessage());
  }

  @Test
  void aRealReplacementCharacterIsText() throws Exception {
    write("r.txt", "\uFFFD\n");

    assertEquals(List.of("\uFFFD"), tasks.items(TextFiles.lines(dir + "/r.txt")));
  }

  @Test
  void blocksizesAndArgumentsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> TextFiles.lines("x", 0));
    assertThrows(IllegalArgumentException.class, () -> TextFiles.jsonLines("x", -5));
    assertThrows(IllegalArgumentException.class, () -> TextFiles.lines(""));
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> tasks.call(FileFunctions.READ_TEXT, List.of("/x.txt", -1L, 10L)));
    assertTrue(negative.getMessage().contains("cannot start at byte -1"), negative.getMessage());
    IllegalArgumentException string = assertThrows(IllegalArgumentException.class,
        () -> tasks.call(FileFunctions.READ_TEXT, List.of("/x.txt", "0", 10L)));
    assertTrue(string.getMessage().contains("argument 2 must be a long"), string.getMessage());
  }
}
