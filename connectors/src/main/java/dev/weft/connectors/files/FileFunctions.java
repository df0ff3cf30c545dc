package dev.weft.connectors.files;

import dev.weft.function.Fn2;
import dev.weft.function.FnN;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.Signature;
import dev.weft.function.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The functions that read and write the partitions of {@link TextFiles}' sources and sinks. Their names and arguments
 * are a wire format (graphs name them, workers of other versions run them): they do not change.
 *
 * <ul>
 *   <li>{@value #READ_TEXT}{@code (path: string, start: long, length: long) -> list}: the lines (strings, without
 *       terminators) that start within the byte range; a length of -1 reads to the end; a compressed file is read
 *       whole, so start 0 and length -1.
 *   <li>{@value #READ_JSON}{@code (path, start, length) -> list}: the same lines, each parsed as JSON into a Weft
 *       value; blank lines are skipped.
 *   <li>{@value #WRITE_TEXT}{@code (path: string, items: list) -> string}: writes one line per item (a string as it
 *       is, another value as JSON), compressed by the path's extension, and returns the path written.
 * </ul>
 *
 * <p>A file that is not UTF-8, or a line that is not JSON, fails the task with an {@link IllegalArgumentException}
 * naming the file and the line; a file that cannot be read or written, with an {@link IOException} naming it.
 */
public final class FileFunctions implements FunctionModule {
  /** Reads the lines of a block of a text file. */
  public static final String READ_TEXT = "weft.files.read-text";
  /** Reads the lines of a block of a JSON-lines file as values. */
  public static final String READ_JSON = "weft.files.read-json";
  /**
   * The words of a block's lines and their counts, as {@code [word, count]} pairs in the order words first occur:
   * what {@code read-text}, then {@code flat-map(split-words)}, then {@code frequencies} give, without a string per
   * word. A bag's word count is rewritten to it ({@code dev.weft.bag}).
   */
  public static final String WORD_FREQUENCIES = "weft.files.word-frequencies";
  /** Writes a partition's items to a text file. */
  public static final String WRITE_TEXT = "weft.files.write-text";

  private static final Signature READ = Signature.of(ValueType.LIST, ValueType.STRING, ValueType.LONG, ValueType.LONG);

  @Override
  public String name() {
    return "files";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register(FnN.of(READ_TEXT, READ, args -> readText(block(args))));
    registry.register(FnN.of(READ_JSON, READ, args -> readJson(block(args))));
    registry.register(FnN.of(WORD_FREQUENCIES, READ, args -> WordCounts.of(block(args))));
    registry.register(Fn2.of(WRITE_TEXT, Signature.of(ValueType.STRING, ValueType.STRING, ValueType.LIST),
        (Object path, Object items) -> TextFileWriter.write(Path.of((String) path), (List<?>) items)));
  }

  /** The block named by a read's arguments, which its signature checked: a string and two longs. */
  private static TextBlock block(Object[] args) {
    return new TextBlock((String) args[0], (Long) args[1], (Long) args[2]);
  }

  static List<String> readText(TextBlock block) throws IOException {
    List<String> lines = new ArrayList<>();
    LineScanner.scan(block, lines::add);
    return lines;
  }

  static List<Object> readJson(TextBlock block) throws IOException {
    List<Object> values = new ArrayList<>();
    LineScanner.scan(block, line -> {
      if (!JsonLineParser.isBlank(line)) {
        values.add(JsonLineParser.parse(line));
      }
    });
    return values;
  }
}
