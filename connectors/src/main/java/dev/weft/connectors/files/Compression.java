package dev.weft.connectors.files;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

/** How a file's bytes are compressed, told by its name's extension, as Dask's {@code compression='infer'}. */
enum Compression {
  NONE(""),
  GZIP(".gz"),
  BZIP2(".bz2");

  /** Large enough that a decompressor does not call the file system for every few kilobytes. */
  private static final int BUFFER = 64 << 10;

  private final String extension;

  Compression(String extension) {
    this.extension = extension;
  }

  /** The compression of the file named {@code file}: by extension, anything but .gz and .bz2 is plain. */
  static Compression of(Path file) {
    Path name = file.getFileName();
    String text = name == null ? "" : name.toString();
    return text.endsWith(GZIP.extension) ? GZIP : text.endsWith(BZIP2.extension) ? BZIP2 : NONE;
  }

  /** Whether a block of the file can be read without the bytes before it: only plain files can. */
  boolean splittable() {
    return this == NONE;
  }

  /** The decompressed bytes of {@code file}, read from its start; the stream owns {@code file}. */
  InputStream decompress(InputStream file) throws IOException {
    switch (this) {
      case GZIP:
        // GZIPInputStream reads the members of a concatenated file (cat a.gz b.gz) one after the other.
        return new GZIPInputStream(file, BUFFER);
      case BZIP2:
        // The bzip2 reader asks for single bytes: without a buffer each would be a read call.
        return new BZip2CompressorInputStream(new BufferedInputStream(file, BUFFER), true);
      default:
        return file;
    }
  }

  /** A stream that compresses into {@code file}; closing it finishes the compressed data and closes {@code file}. */
  OutputStream compress(OutputStream file) throws IOException {
    switch (this) {
      case GZIP:
        return new GZIPOutputStream(file, BUFFER);
      case BZIP2:
        return new BZip2CompressorOutputStream(file);
      default:
        return file;
    }
  }

  /** For messages: "gzip", "bzip2", "plain". */
  String label() {
    return this == NONE ? "plain" : name().toLowerCase(java.util.Locale.ROOT);
  }
}
