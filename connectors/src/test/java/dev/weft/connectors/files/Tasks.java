package dev.weft.connectors.files;

import dev.weft.connectors.PartitionRead;
import dev.weft.connectors.Sink;
import dev.weft.connectors.Source;
import dev.weft.function.FunctionRegistry;
import java.util.ArrayList;
import java.util.List;

/** Runs the tasks of sources and sinks as a worker would: the registered functions, called with the planned args. */
final class Tasks {
  private final FunctionRegistry registry = new FunctionRegistry().install(new FileFunctions());

  /** What each partition of {@code source} reads, in order. */
  List<List<?>> partitions(Source source) throws Exception {
    List<List<?>> partitions = new ArrayList<>();
    for (PartitionRead read : source.partitions()) {
      partitions.add((List<?>) call(read.function(), read.args()));
    }
    return partitions;
  }

  /** The items of {@code source}, partitions one after the other. */
  List<Object> items(Source source) throws Exception {
    List<Object> items = new ArrayList<>();
    for (List<?> partition : partitions(source)) {
      items.addAll(partition);
    }
    return items;
  }

  /** Writes {@code partitions} through {@code sink}: the results of its tasks. */
  List<Object> write(Sink sink, List<? extends List<?>> partitions) throws Exception {
    List<Object> written = new ArrayList<>();
    for (int i = 0; i < partitions.size(); i++) {
      List<Object> args = new ArrayList<>(sink.args(i, partitions.size()));
      args.add(partitions.get(i));
      written.add(call(sink.function(), args));
    }
    return written;
  }

  Object call(String function, List<?> args) throws Exception {
    return registry.require(function).apply(args.toArray());
  }
}
