package dev.weft.registry.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A {@link SchemaStore} whose log is a list in memory: for tests and for a one-machine Weft that need not keep its
 * schemas.
 *
 * <p>The log outlives the store: a registry restarted on a new store over the same {@link Log} finds what the first one
 * wrote, and several stores over one log behave as registries sharing a Kafka topic do. The log's lock makes deciding
 * and appending one atomic step, so a write here never loses a race.
 */
public final class InMemorySchemaStore implements SchemaStore {
  private final Log log;
  private volatile Listener listener;
  private volatile boolean closed;

  /** The shared, ordered list of records that stores append to and deliver from. Thread-safe. */
  public static final class Log {
    private final List<StoreRecord> records = new ArrayList<>();
    private final List<InMemorySchemaStore> readers = new CopyOnWriteArrayList<>();

    /** The records appended so far, in order. */
    public synchronized List<StoreRecord> records() {
      return List.copyOf(records);
    }
  }

  /** A store over a new, empty log. */
  public InMemorySchemaStore() {
    this(new Log());
  }

  /** A store over {@code log}, which other stores may share. */
  public InMemorySchemaStore(Log log) {
    this.log = log;
  }

  public Log log() {
    return log;
  }

  @Override
  public void open(Listener listener) {
    synchronized (log) {
      if (this.listener != null) {
        throw new IllegalStateException("store is already open");
      }
      this.listener = listener;
      log.records.forEach(listener::apply);
      log.readers.add(this);
    }
  }

  /** A no-op: every append reaches every open store before {@link #update} returns. */
  @Override
  public void sync() {
    requireOpen();
  }

  @Override
  public <T> T update(Supplier<Update<T>> writer) {
    requireOpen();
    synchronized (log) {
      Update<T> update = writer.get();
      for (StoreRecord record : update.records()) {
        log.records.add(record);
        for (InMemorySchemaStore reader : log.readers) {
          boolean applied = reader.listener.apply(record);
          if (!applied && reader == this) {
            // Nothing else can have written since the writer decided: its own decision contradicts the log.
            throw new IllegalStateException("the registry rejected a record it had just decided to write: " + record);
          }
        }
      }
      return update.result();
    }
  }

  @Override
  public void close() {
    synchronized (log) {
      log.readers.remove(this);
      closed = true;
    }
  }

  private void requireOpen() {
    if (listener == null || closed) {
      throw new IllegalStateException("store is " + (closed ? "closed" : "not open"));
    }
  }
}
