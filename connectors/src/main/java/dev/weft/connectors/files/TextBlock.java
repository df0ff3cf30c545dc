package dev.weft.connectors.files;

import java.nio.file.Path;
import java.util.List;

/**
 * A byte range of a text file that is one partition: it owns the lines that start within
 * {@code [start, start + length)}, and reads past the range's end to finish the last of them. Every line of a file
 * split into consecutive blocks is read by exactly one block.
 *
 * @param path the file, as the worker opens it (the planner makes it absolute)
 * @param start the first byte of the range, from 0
 * @param length the range's length in bytes, or {@link #TO_END} for the rest of the file
 */
record TextBlock(String path, long start, long length) {
  /** The length of a block that runs to the end of the file, whatever its size then. */
  static final long TO_END = -1;

  TextBlock {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("a text file's path must not be empty");
    }
    if (start < 0) {
      throw new IllegalArgumentException(path + ": a block cannot start at byte " + start);
    }
    if (length < TO_END) {
      throw new IllegalArgumentException(path + ": a block cannot be " + length + " bytes long (-1 reads to the end)");
    }
  }

  /** The whole file. */
  static TextBlock whole(String path) {
    return new TextBlock(path, 0, TO_END);
  }

  Path file() {
    return Path.of(path);
  }

  /** The offset at which a line starts in the next block: the end of this one, or {@link Long#MAX_VALUE}. */
  long end() {
    return length == TO_END ? Long.MAX_VALUE : start + length;
  }

  boolean isWhole() {
    return start == 0 && length == TO_END;
  }

  /** The arguments of a read function that reads this block: the path, the start and the length. */
  List<Object> args() {
    return List.of(path, start, length);
  }

  /** {@code /data/a.txt}, or {@code /data/a.txt bytes 0-67108864}, or {@code /data/a.txt bytes 67108864-end}. */
  String description() {
    return isWhole() ? path : path + " bytes " + start + "-" + (length == TO_END ? "end" : String.valueOf(end()));
  }
}
