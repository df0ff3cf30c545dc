package dev.weft.connectors.files;

import dev.weft.connectors.Source;

/**
 * Text and JSON-lines files as sources of a collection, as Dask's {@code read_text}.
 *
 * <p><b>Reading.</b> {@link #lines(String)} is the lines of the files a path or glob names ({@code data/*.txt},
 * {@code logs/2026-*}{@code /part-*.txt}; see {@link FileGlob} for the syntax), files in path order, each line
 * without its terminator ({@code "\n"} or {@code "\r\n"}). {@link #jsonLines(String)} parses each line as JSON
 * instead: objects become maps, arrays lists, integers longs, other numbers doubles; blank lines are skipped. Files
 * are UTF-8; a {@code .gz} or {@code .bz2} file is decompressed (gzip's concatenated members included). Each file is
 * one partition, or with a blocksize each block of that many bytes of a plain file: a block holds the lines that
 * start in it, so every line is read once, whatever the blocksize. A compressed file cannot be split and is always one
 * partition; an empty file is a partition with no items. The glob is listed when the source is planned
 * ({@link Source#partitions()}), and refused then if it matches no file.
 *
 * <p><b>Where the files are.</b> The tasks that read run on the scheduler's workers: on the processes and
 * broker schedulers those are other JVMs, possibly on other machines. The paths (made absolute on the caller) must be
 * readable there: a local folder works on one machine, a shared file system across several.
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

  private static long positive(long blocksize, String pathOrGlob) {
    if (blocksize <= 0) {
      throw new IllegalArgumentException("the blocksize of '" + pathOrGlob + "' must be positive, not " + blocksize);
    }
    return blocksize;
  }
}
