package dev.weft.broker.protocol;

import java.util.List;

/**
 * What a worker says of itself on the workers topic, every report interval: its state, the tasks running as it
 * reports, and the tasks it finished since its last report (a sample, with the rest counted, when there were more than a
 * report lists). Telemetry only: the dashboard, {@code weft status} and {@code weft dump} read it; nothing schedules by
 * it, and a report lost costs a gap in a chart.
 *
 * @param time when the report was made, epoch milliseconds
 * @param startedAt when the worker started, epoch milliseconds
 * @param partitions the tasks topic's partitions the worker holds
 * @param finishedNotListed tasks finished since the last report that {@code finished} does not list
 * @param leaving whether this is the worker's last report (it stops)
 */
public record WorkerReport(String worker, String pool, String host, long pid, long time, long startedAt, int threads,
    long tasksRun, long tasksFailed, long cacheBytes, long cacheHits, long cacheMisses, long heapUsed, long heapMax,
    List<Integer> partitions, List<RunningTask> running, List<TaskSpan> finished, long finishedNotListed,
    boolean leaving) {

  public WorkerReport {
    partitions = List.copyOf(partitions);
    running = List.copyOf(running);
    finished = List.copyOf(finished);
  }

  /**
   * A task running as the worker reports.
   *
   * @param thread the worker's task thread, from 1
   * @param startMicros when it started, epoch microseconds
   */
  public record RunningTask(String graphId, String taskKey, String function, int thread, long startMicros) {}

  /**
   * A task the worker ran.
   *
   * @param bytesIn the encoded size of its inputs, or -1 when not known
   * @param bytesOut the encoded size of its result record
   * @param result where its result was written, or null
   */
  public record TaskSpan(String graphId, String taskKey, String function, int thread, long startMicros,
      long durationMicros, long bytesIn, long bytesOut, boolean succeeded, ResultRef result) {}
}
