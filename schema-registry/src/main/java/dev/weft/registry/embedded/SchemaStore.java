package dev.weft.registry.embedded;

import java.util.List;
import java.util.function.Supplier;

/**
 * Where an {@link EmbeddedSchemaRegistry} keeps its schemas: an ordered log of {@link StoreRecord}s, which several
 * registries may share (as several Confluent Schema Registry instances share a {@code _schemas} topic).
 *
 * <p>Each registry keeps its state in memory, built by a {@link Listener} from the records the store delivers, in
 * log order. The listener's rules are deterministic (a schema version that claims a version or id an earlier record
 * already holds is rejected), so every registry that reads the same log builds the same state.
 *
 * <p>Writes are optimistic: a registry decides what to append on an up-to-date view, the store appends it and waits
 * until the listener has applied it. If the listener rejected one of the records (another registry appended a
 * conflicting one first), the store withdraws the rejected records with tombstones and asks the registry to decide
 * again on the newer view. That is how registries sharing a log agree on ids and versions, without a leader and
 * without transactions.
 *
 * <p>Lifecycle: {@link #open} once, then any number of {@link #sync} and {@link #update} calls from any threads, then
 * {@link #close}. Implementations: {@link InMemorySchemaStore}, {@link KafkaSchemaStore}.
 */
public interface SchemaStore extends AutoCloseable {

  /** Applies delivered records to a registry's state. */
  @FunctionalInterface
  interface Listener {
    /**
     * Applies the next record of the log.
     *
     * @return whether it took effect; false for a schema version that lost to an earlier record
     */
    boolean apply(StoreRecord record);
  }

  /** What an {@link SchemaStore#update} writer decided: the records to append, and what to answer. */
  record Update<T>(List<StoreRecord> records, T result) {
    public Update {
      records = List.copyOf(records);
    }

    /** Appends {@code records} and answers {@code result}; with no records, appends nothing. */
    public static <T> Update<T> of(T result, StoreRecord... records) {
      return new Update<>(List.of(records), result);
    }
  }

  /**
   * Delivers every record already in the log to {@code listener}, in order, and returns once it has; from then on
   * delivers each record appended by any writer, in log order, one at a time (from a thread of the store's choosing).
   *
   * @throws SchemaStoreException when the log cannot be read
   */
  void open(Listener listener);

  /**
   * Returns once the listener has seen every record appended anywhere before this call: a registry calls it before
   * answering "not found", so that what another registry just wrote is found.
   *
   * @throws SchemaStoreException when the log cannot be read in time
   */
  void sync();

  /**
   * Runs {@code writer} on an up-to-date view and appends the records it returns; returns its result once the
   * listener has applied them all (read-your-writes). When the listener rejects any of them, withdraws those and runs
   * {@code writer} again on the newer view, a bounded number of times. Exceptions of {@code writer} propagate, and
   * nothing is appended. Calls on one store are serialized.
   *
   * @throws SchemaStoreException when the log cannot be written or read in time, or other writers kept winning
   */
  <T> T update(Supplier<Update<T>> writer);

  /** Stops delivering records and releases what the store holds. */
  @Override
  void close();
}
