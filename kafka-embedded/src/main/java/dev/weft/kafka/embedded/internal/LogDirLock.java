package dev.weft.kafka.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a second broker off a log folder in use, in this process or another. Kafka locks the folder too, but in a
 * combined node only once the controller has started on it and written to its metadata log: too late to keep the
 * folder intact. The operating system releases the lock when the process ends, killed or not.
 */
final class LogDirLock implements AutoCloseable {
  /** The lock file, beside Kafka's own {@code .lock}; Kafka ignores files it does not know in a log folder. */
  static final String FILE_NAME = ".weft-kafka.lock";

  /**
   * Folders locked by this JVM. A second broker in this JVM is refused here, before it opens the lock file: closing its
   * channel would release this JVM's lock on the file (POSIX locks belong to the process), the first broker's too.
   */
  private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

  private final Path folder;
  private final FileChannel channel;
  private final FileLock lock;

  private LogDirLock(Path folder, FileChannel channel, FileLock lock) {
    this.folder = folder;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code logDir} for this broker.
   *
   * @throws IllegalStateException if another broker holds it
   */
  static LogDirLock acquire(Path logDir) {
    Path folder;
    try {
      folder = logDir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the Kafka log folder " + logDir, e);
    }
    if (!HELD_HERE.add(folder)) {
      throw inUse(logDir);
    }
    try {
      return lock(folder, logDir);
    } catch (RuntimeException e) {
      HELD_HERE.remove(folder);
      throw e;
    }
  }

  private static LogDirLock lock(Path folder, Path logDir) {
    Path file = folder.resolve(FILE_NAME);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the lock file " + file + " of the Kafka log folder", e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeAfterFailure(channel, e);
      throw new UncheckedIOException("cannot lock " + file, e);
    }
    if (lock == null) {
      IllegalStateException inUse = inUse(logDir);
      closeAfterFailure(channel, inUse);
      throw inUse;
    }
    return new LogDirLock(folder, channel, lock);
  }

  private static IllegalStateException inUse(Path logDir) {
    return new IllegalStateException("the Kafka log folder " + logDir + " is in use by another embedded broker, in"
        + " this process or another: one folder serves one broker at a time");
  }

  /** Releases the folder. */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock on a Kafka log folder", e);
    } finally {
      HELD_HERE.remove(folder);
    }
  }

  private static void closeAfterFailure(FileChannel channel, Exception failure) {
    try {
      channel.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }
}
