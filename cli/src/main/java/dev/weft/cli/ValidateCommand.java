package dev.weft.cli;

import dev.weft.graph.Graph;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Checks a graph file without running it. */
@Command(name = "validate", description = "Check a graph file: references, cycles, function names.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The graph file.")
  Path file;

  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws Exception {
    Graph graph = GraphFiles.read(file);
    graph.validate(plugins.registry());
    System.out.println(file + ": " + graph.size() + " tasks, outputs " + graph.outputs() + ": valid");
    return 0;
  }
}
