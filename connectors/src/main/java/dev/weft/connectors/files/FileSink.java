package dev.weft.connectors.files;

import dev.weft.connectors.Sink;
import java.nio.file.Path;
import java.util.List;

/**
 * Text files named by a pattern with one {@code *}, which becomes the partition's index: {@code out/part-*.txt}
 * writes {@code out/part-0.txt}, {@code out/part-1.txt}, and so on. A relative pattern is resolved against the
 * working directory of the JVM that made the sink, not of the workers.
 */
final class FileSink implements Sink {
  private static final char INDEX = '*';

  private final String pattern;
  private final Path folder; // the working directory when the sink was made
  private final String before;
  private final String after;

  FileSink(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("a pattern of file names must not be empty");
    }
    int star = pattern.indexOf(INDEX);
    if (star < 0 || pattern.indexOf(INDEX, star + 1) >= 0) {
      throw new IllegalArgumentException("the pattern '" + pattern + "' must hold exactly one '*', which becomes each"
          + " partition's index (as in 'out/part-*.txt'); it holds " + pattern.chars().filter(c -> c == INDEX).count());
    }
    this.pattern = pattern;
    this.folder = Path.of("").toAbsolutePath();
    this.before = pattern.substring(0, star);
    this.after = pattern.substring(star + 1);
  }

  @Override
  public String function() {
    return FileFunctions.WRITE_TEXT;
  }

  /** The path of the partition's file, absolute. */
  @Override
  public List<Object> args(int partition, int partitions) {
    if (partition < 0 || partition >= partitions) {
      throw new IllegalArgumentException("partition " + partition + " of " + partitions + " does not exist");
    }
    return List.of(folder.resolve(before + partition + after).normalize().toString());
  }

  @Override
  public String toString() {
    return "text files '" + pattern + "'";
  }
}
