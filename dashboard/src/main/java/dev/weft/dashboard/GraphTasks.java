package dev.weft.dashboard;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A graph's tasks by state, for a stuck graph: which wait on which inputs, which are ready, which run where and since
 * when, where each result is, which failed. Built from the graph's submission (on the graphs topic), its results (on
 * the results topic, read without their values) and the workers' last reports. Each list holds at most the number asked
 * for; {@link #counts()} counts them all.
 *
 * @param state the graph's state, as in {@link ClusterState.Graph#state()}
 * @param counts tasks in each state: {@code waiting}, {@code ready}, {@code running}, {@code done}, {@code failed}
 * @param note what could not be read, or null
 */
@JsonPropertyOrder({"graphId", "state", "partition", "submitOffset", "total", "counts", "running", "failed", "ready",
    "waiting", "done", "note"})
public record GraphTasks(String graphId, String state, int partition, long submitOffset, int total,
    Map<String, Integer> counts, List<Waiting> waiting, List<Ready> ready, List<Running> running, List<Done> done,
    List<Failed> failed, String note) {

  public GraphTasks {
    counts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counts));
    waiting = List.copyOf(waiting);
    ready = List.copyOf(ready);
    running = List.copyOf(running);
    done = List.copyOf(done);
    failed = List.copyOf(failed);
  }

  /**
   * A task whose inputs are not all done.
   *
   * @param on the inputs not done yet (the first ten)
   * @param unfinishedInputs how many of its inputs are not done
   */
  public record Waiting(String key, String function, List<String> on, int unfinishedInputs) {
    public Waiting {
      on = List.copyOf(on);
    }
  }

  /** A task whose inputs are all done and that no worker reports running: queued at its scheduler or in Kafka. */
  public record Ready(String key, String function) {}

  /**
   * A task a worker reported running and whose result has not come.
   *
   * @param since when it started
   * @param workerSilentMs how long ago that worker last reported
   * @param workerSilent whether that is longer than the view's rule ({@link ClusterState.Rules#silentAfterMs()}): the
   *     worker may be gone, and the task will run again elsewhere once its partitions move
   */
  public record Running(String key, String function, String worker, int thread, long since, long workerSilentMs,
      boolean workerSilent) {
    /** Says it in a line: {@code running on worker-2 (thread 1) for 3.2 s, which has not reported for 4.1 s}. */
    public String describe(long now) {
      String text = "running on " + worker + " (thread " + thread + ") for " + seconds(now - since);
      return workerSilent ? text + ", which has not reported for " + seconds(workerSilentMs) : text;
    }
  }

  /**
   * A task whose result is written.
   *
   * @param partition the partition of the results topic that holds it
   * @param offset its record's offset there
   */
  public record Done(String key, String function, int partition, long offset, String worker, long durationMs) {}

  /**
   * A task whose last attempt failed and that has no result.
   *
   * @param attempts the attempts that failed
   * @param error the last failure's exception type and message
   */
  public record Failed(String key, String function, int attempts, String worker, String error) {}

  static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.1f s", Math.max(0, millis) / 1000.0);
  }
}
