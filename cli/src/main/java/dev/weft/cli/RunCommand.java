package dev.weft.cli;

import dev.weft.diagnostics.ProgressBar;
import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Computes a graph file on a local scheduler. */
@Command(name = "run", description = "Compute a graph file (.json or .avro) and print its outputs.")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The graph file.")
  Path file;

  @Option(names = {"-s", "--scheduler"}, defaultValue = "threads",
      description = "sync, threads or processes (default: ${DEFAULT-VALUE}).")
  String scheduler;

  @Option(names = {"-w", "--workers"}, description = "Workers (default: the number of processors).")
  Integer workers;

  @Mixin
  OutputOptions output;

  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws Exception {
    Graph graph = GraphFiles.read(file);
    ComputeOptions options = plugins.applyTo(ComputeOptions.scheduler(scheduler));
    if (workers != null) {
      options = options.numWorkers(workers);
    }
    if (output.showsProgress()) {
      options = options.callbacks(new ProgressBar());
    }
    List<String> keys = output.keysOrNull();
    output.print(keys == null ? Weft.compute(graph, options) : Weft.compute(graph, keys, options));
    return 0;
  }
}
