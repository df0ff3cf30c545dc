package dev.weft.connectors;

import java.util.List;

/**
 * Where a collection's partitions are written: one task per partition calls {@link #function()} with
 * {@link #args(int, int)} followed by the partition's items (a list), and returns what it wrote (a path, a count).
 */
public interface Sink {
  /** The registered function that writes one partition. */
  String function();

  /**
   * The literal arguments that come before the items.
   *
   * @param partition the index of the partition written, from 0
   * @param partitions how many partitions the collection has
   */
  List<Object> args(int partition, int partitions);
}
