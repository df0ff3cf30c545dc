package dev.weft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code weft stream ...}: the stream jobs of a running deployment, each a graph template run for every record of its
 * input topics by the deployment's schedulers (see the {@code stream} module).
 */
@Command(name = "stream", description = "Start, list, pause, resume and stop stream jobs: a graph template run for "
    + "every record of Kafka input topics, by the schedulers of a running deployment.",
    subcommands = {CommandLine.HelpCommand.class, StreamStartCommand.class, StreamListCommand.class,
        StreamJobCommands.Pause.class, StreamJobCommands.Resume.class, StreamJobCommands.Stop.class})
final class StreamCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** {@code weft stream} alone is a usage error that shows the subcommands. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "which? weft stream start FILE | list | pause NAME | resume NAME | stop NAME");
  }
}
