package dev.weft.connectors.files;

import dev.weft.connectors.PartitionRead;
import dev.weft.connectors.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of the files a glob matches, planned into one partition per file, or per block of {@code blocksize} bytes
 * of a plain file ({@link TextBlock}); a compressed file is always one partition. Planned when asked, so the files
 * are those present then.
 */
final class FileSource implements Source {
  /** The blocksize that keeps every file whole. */
  static final long WHOLE_FILES = 0;

  private final String pattern;
  private final long blocksize;
  private final String function;

  /** @param function the registered function that reads a {@link TextBlock}: text lines, or JSON lines */
  FileSource(String pattern, long blocksize, String function) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("a path or glob must not be empty");
    }
    if (blocksize < 0) {
      throw new IllegalArgumentException("the blocksize of '" + pattern + "' must be positive, not " + blocksize);
    }
    this.pattern = pattern;
    this.blocksize = blocksize;
    this.function = function;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Files in path order, each file's blocks in byte order.
   *
   * @throws UncheckedIOException if a folder cannot be listed or a file's size read, naming it
   */
  @Override
  public List<PartitionRead> partitions() {
    List<PartitionRead> partitions = new ArrayList<>();
    for (Path file : FileGlob.expand(pattern)) {
      for (TextBlock block : blocks(file)) {
        partitions.add(new PartitionRead(function, block.args(), block.description()));
      }
    }
    return partitions;
  }

  private List<TextBlock> blocks(Path file) {
    String path = file.toString();
    if (blocksize == WHOLE_FILES || !Compression.of(file).splittable()) {
      return List.of(TextBlock.whole(path));
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the size of " + path + ": " + e, e);
    }
    // The last block reads to the end of the file, lines written since included; an empty file has one, with no line.
    List<TextBlock> blocks = new ArrayList<>();
    long start = 0;
    while (size - start > blocksize) {
      blocks.add(new TextBlock(path, start, blocksize));
      start += blocksize;
    }
    blocks.add(new TextBlock(path, start, TextBlock.TO_END));
    return blocks;
  }

  @Override
  public String toString() {
    return "lines of '" + pattern + "'" + (blocksize == WHOLE_FILES ? "" : " in blocks of " + blocksize + " bytes")
        + " (" + function + ")";
  }
}
