package dev.weft.connectors;

import java.util.List;
import java.util.Objects;

/**
 * How one partition of a collection is read: a call of a registered function, with literal arguments, whose result is
 * the partition's items as a list. A worker runs the call, so it must be able to reach what the arguments name (a
 * file path readable on the worker, a Kafka cluster it can connect to).
 *
 * @param function the registered function that reads the partition
 * @param args its literal arguments (Weft values)
 * @param description what the partition is, for messages and graph listings: {@code logs/a.txt bytes 0-64 MiB}
 */
public record PartitionRead(String function, List<Object> args, String description) {
  public PartitionRead {
    Objects.requireNonNull(function, "function");
    args = List.copyOf(args);
    Objects.requireNonNull(description, "description");
  }
}
