package dev.weft.connectors.files;

import dev.weft.connectors.Sink;
import dev.weft.connectors.Source;

/**
 * Text and JSON-lines files as sources and sinks of a collection, as Dask's {@code read_text} and
 * {@code to_textfiles}.
 *
 * <p><b>Reading.</b> {@link #lines(String)} is the lines of the files a path or glob names, files in path order, each
 * line without its terminator ({@code "\n"} or {@code "\r\n"}; a lone {@code '\r'} is text).
 * {@link #jsonLines(String)} parses each line as JSON instead: objects become maps, arrays lists, integers longs,
 * other numbers doubles; blank lines are skipped. Files are UTF-8; a {@code .gz} or {@code .bz2} file is decompressed
 * (gzip's concatenated members included). Each file is one partition, or with a blocksize each block of that many
 * bytes of a plain file: a block holds the lines that start in it, so every line is read once, whatever the
 * blocksize. A compressed file cannot be split and is always one partition; an empty file is a partition with no
 * items. The glob is listed when the source is planned ({@link Source#partitions()}), and refused then if it matches
 * no file.
 *
 * <p><b>Globs.</b> A path, relative to the working directory or absolute, or a glob in the syntax of
 * {@link java.nio.file.FileSystem#getPathMatcher}: {@code data/*.json}, {@code logs/2026-*}{@code /part-*.txt}
 * ({@code *}, {@code ?}, {@code [abc]} and {@code {a,b}} match within a name; {@code **} across folders, at least
 * one). Folders are separated by {@code /}. A name that begins with a dot (a hidden file, or a write in progress) is
 * matched only by a part of the pattern that begins with a dot too, as in a shell.
 *
 * <p><b>Writing.</b> {@link #writeTo(String)} writes each partition to a file named by a pattern whose one {@code *}
 * is the partition's index: one line per item, a string as it is (one with a newline in it reads back as several
 * lines) and any other value as its JSON, so a collection of maps or Avro records becomes a JSON-lines file (bytes are
 * base64 strings). A {@code .gz} or {@code .bz2} name is compressed. Missing folders are created; a file appears whole
 * or not at all (written under a temporary name and renamed), and replaces the file of an earlier run.
 *
 * <p><b>Where the files are.</b> The tasks that read and write run on the scheduler's workers: on the processes and
 * broker schedulers those are other JVMs, possibly on other machines. The paths (made absolute on the caller) must be
 * readable, and for writing writable, there: a local folder works on one machine, a shared file system across several.
 *
 * <p>A file that is not UTF-8, or a line that is not JSON, fails its task with an {@link IllegalArgumentException}
 * naming the file and the line; the functions that run are those of {@link FileFunctions}.
 */
public final class TextFiles {
  private TextFiles() {}

  /**
   * The lines of the files {@code pathOrGlob} names, one partition per file.
   *
   * @throws IllegalArgumentException if {@code pathOrGlob} is empty
   */
  public static Source lines(String pathOrGlob) {
    return new FileSource(pathOrGlob, FileSource.WHOLE_FILES, FileFunctions.READ_TEXT);
  }

  /**
   * The lines of the files {@code pathOrGlob} names, one partition per {@code blocksize} bytes of a plain file (as
   * Dask's {@code blocksize}, such as {@code 64 << 20}), one per compressed file.
   *
   * @throws IllegalArgumentException if {@code pathOrGlob} is empty or {@code blocksize} is not positive
   */
  public static Source lines(String pathOrGlob, long blocksize) {
    return new FileSource(pathOrGlob, positive(blocksize, pathOrGlob), FileFunctions.READ_TEXT);
  }

  /**
   * The JSON values of the lines of the files {@code pathOrGlob} names, one partition per file.
   *
   * @throws IllegalArgumentException if {@code pathOrGlob} is empty
   */
  public static Source jsonLines(String pathOrGlob) {
    return new FileSource(pathOrGlob, FileSource.WHOLE_FILES, FileFunctions.READ_JSON);
  }

  /**
   * The JSON values of the lines of the files {@code pathOrGlob} names, one partition per {@code blocksize} bytes of
   * a plain file, one per compressed file.
   *
   * @throws IllegalArgumentException if {@code pathOrGlob} is empty or {@code blocksize} is not positive
   */
  public static Source jsonLines(String pathOrGlob, long blocksize) {
    return new FileSource(pathOrGlob, positive(blocksize, pathOrGlob), FileFunctions.READ_JSON);
  }

  /**
   * Files named by {@code pattern}, whose one {@code *} is replaced by the partition's index (from 0, not padded):
   * {@code out/part-*.txt}, {@code out/part-*.json.gz}. A relative pattern is resolved here, against this JVM's
   * working directory. Each partition's task returns the path it wrote.
   *
   * @throws IllegalArgumentException if {@code pattern} does not hold exactly one {@code *}
   */
  public static Sink writeTo(String pattern) {
    return new FileSink(pattern);
  }

  private static long positive(long blocksize, String pathOrGlob) {
    if (blocksize <= 0) {
      throw new IllegalArgumentException("the blocksize of '" + pathOrGlob + "' must be positive, not " + blocksize);
    }
    return blocksize;
  }
}
