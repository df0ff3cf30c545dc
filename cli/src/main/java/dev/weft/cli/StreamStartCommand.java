package dev.weft.cli;

import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.function.FunctionRegistry;
import dev.weft.graph.GraphValidationException;
import dev.weft.stream.StreamJob;
import dev.weft.stream.StreamJobs;
import dev.weft.worker.WorkerGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Parameters;

/**
 * {@code weft stream start FILE}: checks a job file (its form, its template, the function names against the class
 * path's functions and {@code --plugins}) and starts the job, or replaces the definition of the job of its name.
 */
@Command(name = "start", description = "Check a stream job file and start the job (or replace the job of its name).")
final class StreamStartCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The job file (JSON: name, inputs, outputs, template, "
      + "and optionally deadLetters, pool, batch, guarantee).")
  Path file;

  @Mixin
  ConnectionOptions connection;

  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() throws IOException {
    StreamJob job;
    try {
      job = StreamJob.fromJson(Files.readString(file));
    } catch (IllegalArgumentException unreadable) {
      System.err.println("weft: " + file + " is not a stream job: " + unreadable.getMessage());
      return Main.INVALID_GRAPH;
    }
    FunctionRegistry functions = plugins.registry();
    try {
      // Checked before Kafka is reached: an invalid file is refused the same with or without a deployment.
      job.validate(functions);
    } catch (GraphValidationException invalid) {
      System.err.println(refusal(job, invalid));
      return Main.INVALID_GRAPH;
    }
    Map<String, Object> config = connection.reachableConfig();
    try (StreamJobs jobs = StreamJobs.connect(config)) {
      boolean replaced = jobs.job(job.name()).isPresent();
      jobs.start(job, functions);
      System.out.printf("stream job '%s' %s (%s): %s -> %s; dead letters to %s%n", job.name(),
          replaced ? "replaced" : "started", job.state().jsonName(),
          job.inputs().stream().map(StreamJob.Input::topic).collect(Collectors.joining(", ")),
          job.outputs().values().stream().map(StreamJob.Output::topic).distinct().collect(Collectors.joining(", ")),
          job.deadLetters());
    }
    warnIfNoWorkerServes(job.pool(), new WeftKafkaConfig(config));
    return Main.OK;
  }

  /** As submit does: a pool no worker serves leaves the job's batches waiting, with nothing else said. */
  private static void warnIfNoWorkerServes(String pool, WeftKafkaConfig config) {
    Topics topics = config.topics();
    try (Admin admin = Admin.create(config.clientProperties())) {
      if (WorkerGroup.activeMembers(admin, topics, pool) == 0) {
        String name = Topics.poolName(pool);
        System.err.printf("weft: no worker serves pool '%s' now (consumer group %s has no members): the job's "
            + "batches wait for one (weft worker%s)%n", name, topics.workerGroup(pool),
            name.equals(Topics.DEFAULT_POOL) ? "" : " --pool " + name);
      }
    } catch (IllegalStateException e) {
      // only a warning is lost: the job is started all the same
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every problem of the job, one a line, under the job's name and file. */
  private String refusal(StreamJob job, GraphValidationException invalid) {
    StringBuilder text = new StringBuilder("weft: stream job '").append(job.name()).append("' (").append(file)
        .append(") is invalid");
    if (invalid.problems().size() == 1) {
      return text.append(": ").append(invalid.problems().get(0).message()).toString();
    }
    text.append(", ").append(invalid.problems().size()).append(" problems:");
    invalid.problems().forEach(problem -> text.append(System.lineSeparator()).append("  - ")
        .append(problem.message()));
    return text.toString();
  }
}
