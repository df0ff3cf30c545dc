package dev.weft.connectors;

import java.util.List;

/**
 * Where a collection's items come from, planned on the caller into partitions: a glob is listed, large files are split
 * into blocks, a topic's offsets are looked up. Each partition becomes one task of the graph.
 */
public interface Source {
  /**
   * The partitions, in the collection's order.
   *
   * @throws IllegalArgumentException if there is nothing to read (a glob that matches no file), naming what was asked
   */
  List<PartitionRead> partitions();
}
