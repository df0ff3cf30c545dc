package dev.weft.cli;

import dev.weft.scheduler.Weft;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code weft} command. Every subcommand takes {@code -h}/{@code --help}, and {@code weft help CMD} says the same.
 * Its exit status tells what went wrong, as {@code sysexits.h} suggests for the last one: see {@link #OK} and after.
 */
@Command(name = "weft", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
    version = "weft 0.1.0", description = "Runs task graphs on sync, threads, processes or Kafka.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done", "1:a task failed, or the graph was cancelled or could not finish",
        "2:the command line is wrong (an unknown option, a missing argument)",
        "3:the graph is invalid (a cycle, a missing key, an unknown function) or cannot be read; or so is a stream job",
        "70:a bug of Weft's (its stack trace is printed)"},
    subcommands = {CommandLine.HelpCommand.class, UpCommand.class, DemoCommand.class, RunCommand.class,
        SubmitCommand.class, SchedulerCommand.class, WorkerCommand.class, BrokerCommand.class, RegistryCommand.class,
        ValidateCommand.class, FunctionsCommand.class, StreamCommand.class, HealthCommand.class, StatusCommand.class,
        DumpCommand.class})
public final class Main {
  /** Done. */
  public static final int OK = 0;
  /** A task failed, or the graph was cancelled or could not finish (Kafka away, a file missing). */
  public static final int FAILED = 1;
  /** The command line is wrong: picocli's own status for it. */
  public static final int USAGE = 2;
  /** The graph (or stream job) is invalid, or its file cannot be read as one. */
  public static final int INVALID_GRAPH = 3;
  /** Something Weft did not expect: a bug (EX_SOFTWARE). */
  public static final int BUG = 70;

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
    if (failure instanceof java.nio.file.NoSuchFileException) {
      command.getErr().println("weft: no such file: " + failure.getMessage());
      return FAILED;
    }
    boolean expected = failure instanceof IllegalArgumentException || failure instanceof IllegalStateException
        || failure instanceof java.io.UncheckedIOException
        || failure instanceof org.apache.kafka.common.KafkaException // Kafka away or refusing: not Weft's bug
        || failure instanceof java.io.IOException || failure instanceof dev.weft.scheduler.TaskFailedException
        || failure instanceof dev.weft.graph.GraphValidationException;
    command.getErr().println("weft: " + failure.getMessage());
    if (!expected) {
      failure.printStackTrace(command.getErr());
      return BUG;
    }
    // A graph file that cannot be read as a graph (bad JSON, bad Avro) is an invalid graph too.
    return failure instanceof dev.weft.graph.GraphValidationException
        || failure instanceof dev.weft.graph.codec.GraphFormatException
        || failure instanceof dev.weft.value.MalformedValueException ? INVALID_GRAPH : FAILED;
  }
}
