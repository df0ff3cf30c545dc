package dev.weft.broker.protocol;

/**
 * Where a task's result is: a partition of the results topic and the offset of the result's record. The scheduler
 * passes these, never values: workers and clients read the record themselves.
 */
public record ResultRef(int partition, long offset) {
  @Override
  public String toString() {
    return partition + "@" + offset;
  }
}
