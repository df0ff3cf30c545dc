package dev.weft.cli;

import dev.weft.diagnostics.ProgressBar;
import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import dev.weft.value.Values;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(names = {"-k", "--keys"}, split = ",", description = "Keys to compute (default: the graph's outputs).")
  List<String> keys;

  @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Show a progress bar on a terminal (default: on).")
  boolean progress;

  @Override
  public Integer call() throws Exception {
    Graph graph = GraphFiles.read(file);
    ComputeOptions options = ComputeOptions.scheduler(scheduler);
    if (workers != null) {
      options = options.numWorkers(workers);
    }
    if (progress && System.console() != null) {
      options = options.callbacks(new ProgressBar());
    }
    Map<String, Object> values = keys == null || keys.isEmpty()
        ? Weft.compute(graph, options)
        : Weft.compute(graph, keys, options);
    values.forEach((key, value) -> System.out.println(key + " = " + Values.describe(value)));
    return 0;
  }
}
