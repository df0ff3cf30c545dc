package dev.weft.cli;

import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Weft;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the demo graph on a local scheduler and prints its result and timing. */
@Command(name = "demo", description = "Run the demo graph on a local scheduler (threads by default).")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--tasks", defaultValue = "100000", description = "Squares to sum (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--workers", defaultValue = "2", description = "Workers (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = {"-s", "--scheduler"}, defaultValue = "threads",
      description = "sync, threads or processes (default: ${DEFAULT-VALUE}).")
  String scheduler;

  @Override
  public Integer call() {
    Graph graph = Demo.sumOfSquares(tasks, 1000);
    // Warm-up runs compile the hot paths, as in a long-running service; the last run is the one timed.
    ComputeOptions options = ComputeOptions.scheduler(scheduler).numWorkers(workers);
    for (int i = 0; i < 3; i++) {
      Weft.compute(graph, options);
    }
    long start = System.nanoTime();
    Map<String, Object> result = Weft.compute(graph, options);
    long nanos = System.nanoTime() - start;
    long total = ((Number) result.get("total")).longValue();
    long expected = Demo.expected(tasks);
    System.out.printf(Locale.ROOT, "sum of squares of 0..%d = %d (%s)%n", tasks - 1, total,
        total == expected ? "correct" : "WRONG, expected " + expected);
    System.out.printf(Locale.ROOT, "%,d tasks on the %s scheduler (%d workers) in %.1f ms: %.2f us per task%n",
        graph.size(), scheduler, workers, nanos / 1e6, nanos / 1e3 / graph.size());
    return total == expected ? 0 : 1;
  }
}
