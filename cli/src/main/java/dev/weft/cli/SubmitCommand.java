package dev.weft.cli;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.GraphListener;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.diagnostics.ProgressBar;
import dev.weft.graph.Graph;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft submit FILE}: runs a graph file through the broker scheduler and prints its outputs. */
@Command(name = "submit", description = "Submit a graph file to the broker scheduler and print its outputs.")
final class SubmitCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", description = "The graph file (.json or .avro).")
  Path file;

  @Mixin
  OutputOptions output;

  @Option(names = "--timeout", defaultValue = "PT30M",
      description = "Longest wait, ISO-8601 (default: ${DEFAULT-VALUE}); the graph is cancelled after it.")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    Graph graph = GraphFiles.read(file);
    try (WeftClient client = WeftClient.connect(connection.reachableConfig())) {
      SubmitOptions options = SubmitOptions.defaults().keys(output.keysOrNull());
      TerminalProgress bar = output.showsProgress() ? new TerminalProgress() : null;
      if (bar != null) {
        options = options.listener(bar, false);
      }
      GraphFuture future = client.submit(graph, options);
      Map<String, Object> values;
      try {
        values = WeftClient.await(future, timeout);
      } finally {
        if (bar != null) {
          bar.end();
        }
      }
      output.print(values);
    }
    return 0;
  }

  /** The console progress bar, fed by the scheduler's progress events. */
  private static final class TerminalProgress implements GraphListener {
    private final long start = System.nanoTime();
    private volatile boolean drawn;

    @Override
    public void progress(int done, int total) {
      drawn = true;
      System.err.print("\r" + ProgressBar.render(done, total, System.nanoTime() - start));
    }

    void end() {
      if (drawn) {
        System.err.println();
      }
    }
  }
}
