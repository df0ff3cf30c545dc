package dev.weft.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.dashboard.ClusterView;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft dump}: the whole cluster state as JSON, for a graph that is stuck (Dask's dump_cluster_state). */
@Command(name = "dump", description = {
    "Write the whole state of a running deployment as JSON, read from Kafka (no scheduler needed), as Dask's "
        + "dump_cluster_state: the graphs, and for each unfinished graph its tasks by state (which wait on which "
        + "inputs, which are ready, which run on which worker and thread since when, where each result is: the "
        + "partition and offset of the results topic, which failed and why); the workers with their partitions "
        + "and last report (a task running on a worker that stopped reporting says for how long: workerSilentMs); "
        + "each pool's group members and the lag of each partition; the schedulers and the graph partitions each "
        + "owns; the dead letters and rejections; the stream jobs."})
final class DumpCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write it (default: standard output).")
  Path output;

  @Option(names = "--max-tasks", paramLabel = "N", defaultValue = "10000",
      description = "Tasks listed per state of each graph, at most (default: ${DEFAULT-VALUE}); all are counted.")
  int maxTasks;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "PT15S",
      description = "Longest wait for the view to read Kafka, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Override
  public Integer call() throws Exception {
    if (maxTasks < 1) {
      throw new IllegalArgumentException("--max-tasks must be at least 1");
    }
    Map<String, Object> config = connection.reachableConfig();
    ObjectNode dump;
    try (ClusterView view = ClusterView.start(config)) {
      view.awaitCaughtUp(wait);
      dump = view.dump(maxTasks);
    }
    if (output == null) {
      ClusterView.json().writerWithDefaultPrettyPrinter().writeValue(new NonClosing(System.out), dump);
      System.out.println();
    } else {
      try (OutputStream out = Files.newOutputStream(output)) {
        ClusterView.json().writerWithDefaultPrettyPrinter().writeValue(out, dump);
      }
      System.err.printf("cluster state written to %s: %d graphs, %d workers%n", output, dump.path("graphs").size(),
          dump.path("workers").size());
    }
    return Main.OK;
  }

  /** Standard output, which Jackson must not close. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void close() throws java.io.IOException {
      flush();
    }
  }
}
