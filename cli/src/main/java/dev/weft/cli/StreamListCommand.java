package dev.weft.cli;

import dev.weft.stream.InstanceStatus;
import dev.weft.stream.JobStatus;
import dev.weft.stream.StreamJob;
import dev.weft.stream.StreamJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code weft stream list}: every job, with what the scheduler instances that run it reported lately. */
@Command(name = "list", description = {"List the stream jobs, with what the schedulers that run them report.",
    "instances: the scheduler instances that reported the job in the last seconds. records in (read), records out "
        + "(output records committed) and dead letters: since each of them started the job. in/s, out/s and the "
        + "latency from a record's timestamp to its commit (ms): over their last status interval "
        + "(weft.stream.status.interval.ms, 1 s by default).",
    "lag: records of the job's inputs that its consumer group has not committed yet, from Kafka, so a paused job "
        + "shows it too.",
    "A line under the table names each instance's last error, if any."})
final class StreamListCommand implements Callable<Integer> {
  private static final List<String> HEADER = List.of("job", "state", "guarantee", "inputs -> outputs", "instances",
      "records in", "records out", "dead letters", "in/s", "out/s", "lag", "latency p50/p99 ms");
  /** Columns after the first four are numbers, aligned to the right. */
  private static final int FIRST_NUMBER = 4;

  @Mixin
  ConnectionOptions connection;

  @Override
  public Integer call() {
    Map<String, Object> config = connection.reachableConfig();
    List<JobStatus> jobs;
    try (StreamJobs client = StreamJobs.connect(config)) {
      jobs = client.list();
    }
    if (jobs.isEmpty()) {
      System.out.println("no stream jobs");
      return Main.OK;
    }
    Map<String, Long> lag = StreamLag.of(config, jobs.stream().map(JobStatus::job).toList());
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    jobs.forEach(status -> rows.add(row(status, lag.get(status.job().name()))));
    print(rows);
    for (JobStatus status : jobs) {
      for (InstanceStatus instance : status.instances()) {
        if (instance.error() != null) {
          System.out.printf("%s on %s: %s%n", status.job().name(), instance.instance(), instance.error());
        }
      }
    }
    return Main.OK;
  }

  private static List<String> row(JobStatus status, Long lag) {
    StreamJob job = status.job();
    String topics = job.inputs().stream().map(StreamJob.Input::topic).collect(Collectors.joining(","))
        + " -> " + job.outputs().values().stream().map(StreamJob.Output::topic).distinct()
            .collect(Collectors.joining(","));
    return List.of(job.name(), job.state().jsonName(), job.guarantee().jsonName(), topics,
        Integer.toString(status.instances().size()), Long.toString(status.recordsIn()),
        Long.toString(status.recordsOut()), Long.toString(status.deadLetters()), rate(status.inPerSecond()),
        rate(status.outPerSecond()), lag == null ? "?" : lag.toString(),
        status.instances().isEmpty() ? "-" : status.latencyP50Ms() + "/" + status.latencyP99Ms());
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f", perSecond);
  }

  private static void print(List<List<String>> rows) {
    int[] widths = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        String cell = row.get(i);
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(i == 0 ? "" : "  ").append(i >= FIRST_NUMBER ? pad + cell : cell + pad);
      }
      System.out.println(line.toString().stripTrailing());
    }
  }
}
