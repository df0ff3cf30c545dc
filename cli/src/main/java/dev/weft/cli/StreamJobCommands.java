package dev.weft.cli;

import dev.weft.stream.StreamJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code weft stream pause|resume|stop NAME}: changes what a job's definition asks of the schedulers. */
final class StreamJobCommands {
  private StreamJobCommands() {}

  /** What the three share: where the deployment is, and the job's name. */
  abstract static class JobCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The job's name (weft stream list shows them).")
    String name;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() {
      try (StreamJobs jobs = StreamJobs.connect(connection.reachableConfig())) {
        apply(jobs);
      }
      System.out.println(done());
      return Main.OK;
    }

    /** @throws IllegalArgumentException when there is no job of that name */
    abstract void apply(StreamJobs jobs);

    abstract String done();
  }

  @Command(name = "pause", description = "Stop reading a job's inputs; its records wait in Kafka (as lag) until it "
      + "is resumed.")
  static final class Pause extends JobCommand {
    @Override
    void apply(StreamJobs jobs) {
      jobs.pause(name);
    }

    @Override
    String done() {
      return "stream job '" + name + "' paused; its input records wait in Kafka (weft stream resume " + name + ")";
    }
  }

  @Command(name = "resume", description = "Run a paused job again, from where it was.")
  static final class Resume extends JobCommand {
    @Override
    void apply(StreamJobs jobs) {
      jobs.resume(name);
    }

    @Override
    String done() {
      return "stream job '" + name + "' running";
    }
  }

  @Command(name = "stop", description = "Remove a job. Its consumer group keeps its offsets: a job started again "
      + "under the same name goes on from where this one was.")
  static final class Stop extends JobCommand {
    @Override
    void apply(StreamJobs jobs) {
      jobs.stop(name);
    }

    @Override
    String done() {
      return "stream job '" + name + "' stopped; started again under this name, it goes on from where it was";
    }
  }
}
