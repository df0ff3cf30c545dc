package dev.weft.cli;

import dev.weft.graph.Graph;
import dev.weft.local.Schedulers;
import dev.weft.scheduler.Weft;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The README's first command: runs the demo graph and prints its result and timing. */
@Command(name = "up", description = "Run the demo graph on this machine and print its result and timing.")
final class UpCommand implements Callable<Integer> {
  @Option(names = "--tasks", defaultValue = "100000", description = "Squares to sum (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--workers", defaultValue = "2", description = "Worker threads (default: ${DEFAULT-VALUE}).")
  int workers;

  @Override
  public Integer call() {
    Graph graph = Demo.sumOfSquares(tasks, 1000);
    // Warm-up runs compile the hot paths, as in a long-running service; the last run is the one timed.
    for (int i = 0; i < 3; i++) {
      Weft.compute(graph, Schedulers.threads(workers));
    }
    long start = System.nanoTime();
    Map<String, Object> result = Weft.compute(graph, Schedulers.threads(workers));
    long nanos = System.nanoTime() - start;
    long total = ((Number) result.get("total")).longValue();
    long expected = Demo.expected(tasks);
    System.out.printf(Locale.ROOT, "sum of squares of 0..%d = %d (%s)%n", tasks - 1, total,
        total == expected ? "correct" : "WRONG, expected " + expected);
    System.out.printf(Locale.ROOT, "%,d tasks on the threads scheduler (%d workers) in %.1f ms: %.2f us per task%n",
        graph.size(), workers, nanos / 1e6, nanos / 1e3 / graph.size());
    return total == expected ? 0 : 1;
  }
}
