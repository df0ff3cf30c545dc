package dev.weft.connectors.files;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes one partition's items to a text file, one line each: a string as it is, any other value as its JSON
 * ({@link JsonValueWriter}), each followed by {@code "\n"}; compressed by the file's extension ({@link Compression}).
 *
 * <p>The file appears whole or not at all: the lines go to a temporary file in the same folder, renamed over the
 * target once complete, so a task that fails (or a reader that lists the folder meanwhile) never sees half a file.
 * The temporary name starts with a dot, so a glob such as {@code part-*} does not match it. The data is not forced
 * to the disk before the rename: this guards against a failed task, not a crash of the machine.
 */
final class TextFileWriter {
  /** Lines are ended by the writer: no separator between one JSON item and the next. */
  private static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
  private static final int BUFFER = 64 << 10;

  private TextFileWriter() {}

  /**
   * Writes {@code items} to {@code target}, replacing any file there, and creating its missing parent folders.
   *
   * @return the path written, absolute
   * @throws IllegalArgumentException if an item (or part of one) is not a Weft value, naming the item and the file
   * @throws IOException if the file cannot be written, naming it
   */
  static String write(Path target, List<?> items) throws IOException {
    Path file = target.toAbsolutePath().normalize();
    Path folder = file.getParent();
    if (folder == null || file.getFileName() == null) {
      throw new IllegalArgumentException("cannot write text to " + target + ": it names no file");
    }
    Files.createDirectories(folder);
    // Named here rather than by Files.createTempFile, whose files are readable by their owner only: the renamed file
    // must have the permissions of any file the worker creates.
    Path temporary = folder.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
        .nextLong()) + ".tmp");
    try {
      writeLines(temporary, Compression.of(file), items, file);
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException deleting) {
        e.addSuppressed(deleting);
      }
      throw e;
    }
    return file.toString();
  }

  private static void writeLines(Path temporary, Compression compression, List<?> items, Path file)
      throws IOException {
    // Each stream closes the one it wraps; all are resources so that none is left open if a wrapper cannot be made.
    try (OutputStream raw = new BufferedOutputStream(
            Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), BUFFER);
        OutputStream out = compression.compress(raw);
        JsonGenerator lines = JSON.createGenerator(out)) {
      int index = 0;
      for (Object item : items) {
        if (item instanceof CharSequence) {
          writeString(lines, item.toString(), file, index);
        } else {
          writeJson(lines, item, file, index);
        }
        lines.writeRaw('\n');
        index++;
      }
    }
  }

  private static void writeString(JsonGenerator lines, String item, Path file, int index) throws IOException {
    try {
      lines.writeRaw(item);
    } catch (JsonGenerationException e) {
      // A lone surrogate: a Java string that is no Unicode text, which UTF-8 cannot encode.
      throw new IllegalArgumentException(file + " item " + index + " is not Unicode text: " + e.getOriginalMessage(),
          e);
    }
  }

  private static void writeJson(JsonGenerator lines, Object item, Path file, int index) throws IOException {
    try {
      JsonValueWriter.write(lines, item);
    } catch (JsonValueWriter.NotAValue e) {
      throw new IllegalArgumentException(e.describe(file + " item " + index), e);
    }
  }
}
