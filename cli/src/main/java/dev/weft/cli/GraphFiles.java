package dev.weft.cli;

import dev.weft.graph.Graph;
import dev.weft.graph.codec.GraphCodec;
import dev.weft.graph.codec.GraphJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a graph file by its extension: {@code .avro} is the binary encoding, anything else the JSON form. */
final class GraphFiles {
  /** Graph files larger than this are refused rather than read into memory. */
  static final long MAX_BYTES = 256L << 20;

  private GraphFiles() {}

  static Graph read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new IOException(file + " is " + size + " bytes; graph files are limited to " + MAX_BYTES);
    }
    if (file.getFileName().toString().endsWith(".avro")) {
      return new GraphCodec().decode(Files.readAllBytes(file));
    }
    return GraphJson.read(file);
  }
}
