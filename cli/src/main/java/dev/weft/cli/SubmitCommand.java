package dev.weft.cli;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.GraphListener;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.diagnostics.ProgressBar;
import dev.weft.graph.Graph;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
    Map<String, Object> config = connection.reachableConfig();
    try (WeftClient client = WeftClient.connect(config)) {
      warnOfPoolsWithoutWorkers(client, graph, new WeftKafkaConfig(config).topics());
      SubmitOptions options = SubmitOptions.defaults().keys(output.keysOrNull());
      TerminalProgress bar = output.showsProgress() ? new TerminalProgress() : null;
      if (bar != null) {
        options = options.listener(bar, false);
      }
      GraphFuture future = client.submit(graph, options);
      // Ctrl-C (or SIGTERM) while waiting cancels the graph, as a compute owns its graph: nobody would read it.
      Thread cancelOnExit = new Thread(() -> cancelIfRunning(client, future), "weft-submit-cancel");
      Runtime.getRuntime().addShutdownHook(cancelOnExit);
      Map<String, Object> values;
      try {
        values = WeftClient.await(future, timeout);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(cancelOnExit);
        } catch (IllegalStateException exiting) {
          // the JVM exits: the hook cancels the graph
        }
        if (bar != null) {
          bar.end();
        }
      }
      output.print(values);
    }
    return 0;
  }

  private static void cancelIfRunning(WeftClient client, GraphFuture future) {
    if (future.isDone()) {
      return;
    }
    try {
      client.cancel(future, "its submitter was stopped (Ctrl-C)").get(5, TimeUnit.SECONDS);
      System.err.printf("%nweft: stopped; graph %s was cancelled%n", future.graphId());
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      System.err.printf("%nweft: stopped; graph %s could not be cancelled (%s): it runs on%n", future.graphId(),
          e instanceof java.util.concurrent.ExecutionException ? e.getCause() : "no answer from Kafka within 5 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Says which of the graph's worker pools no worker serves now: its tasks would wait for one, the graph at 0% with
   * nothing said, until the timeout. Workers may still come: a warning, not a failure.
   */
  private static void warnOfPoolsWithoutWorkers(WeftClient client, Graph graph, Topics topics)
      throws InterruptedException {
    java.util.Set<String> idle;
    try {
      idle = client.poolsWithoutWorkers(graph).get(6, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return; // only a warning is lost: the graph is submitted all the same
    }
    for (String pool : idle) {
      System.err.printf("weft: no worker serves pool '%s' now (consumer group %s has no members): the graph's tasks "
          + "of that pool wait for one (weft worker%s)%n", pool, topics.workerGroup(pool),
          pool.equals(Topics.DEFAULT_POOL) ? "" : " --pool " + pool);
    }
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
