package dev.weft.cli;

import dev.weft.scheduler.Weft;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code weft} command. */
@Command(name = "weft", mixinStandardHelpOptions = true, version = "weft 0.1.0",
    description = "Runs task graphs on sync, threads, processes or Kafka.",
    subcommands = {UpCommand.class, DemoCommand.class, RunCommand.class, SubmitCommand.class,
        SchedulerCommand.class, WorkerCommand.class, BrokerCommand.class, ValidateCommand.class,
        FunctionsCommand.class})
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int status = run(args);
    Weft.shutdown();
    System.exit(status);
  }

  /** Runs the command line and returns its exit status, without exiting. */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::report)
        .execute(args);
  }

  /**
   * A failure the user can act on (a bad graph, a failed task, a missing file) is one message; anything else is a bug
   * and keeps its stack trace.
   */
  private static int report(Exception failure, CommandLine command, CommandLine.ParseResult parsed) {
    boolean expected = failure instanceof IllegalArgumentException || failure instanceof IllegalStateException
        || failure instanceof java.io.IOException || failure instanceof dev.weft.scheduler.TaskFailedException
        || failure instanceof dev.weft.graph.GraphValidationException;
    command.getErr().println("weft: " + failure.getMessage());
    if (!expected) {
      failure.printStackTrace(command.getErr());
    }
    return failure instanceof dev.weft.graph.GraphValidationException ? 2 : 1;
  }
}
