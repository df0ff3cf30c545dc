package dev.weft.cli;

import dev.weft.connection.KafkaConnection;
import dev.weft.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weft broker}: a Kafka broker for the one-machine mode, in the foreground. It listens on 127.0.0.1 only and
 * runs until Ctrl-C, which stops it cleanly and deletes its temporary log folder (EmbeddedKafka's shutdown hook).
 */
@Command(name = "broker", description = "Run a Kafka broker on this machine (127.0.0.1 only) until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "9092",
      description = "Port clients connect to; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--log-dir", paramLabel = "DIR",
      description = "Keep the broker's log in DIR, across restarts (default: a temporary folder, deleted on exit).")
  Path logDir;

  @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE",
      description = "A broker setting, as in Kafka's server.properties, over the single-node defaults; repeatable.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedKafka.Builder builder = EmbeddedKafka.builder().port(port).brokerProperties(properties);
    if (logDir != null) {
      builder.logDir(logDir);
    }
    EmbeddedKafka kafka = builder.start();
    System.out.println("Kafka " + EmbeddedKafka.KAFKA_VERSION + " broker ready at " + kafka.bootstrapServers());
    System.out.println("Log folder: " + kafka.logDir() + (logDir == null ? " (deleted on exit)" : " (kept)"));
    System.out.println("Ctrl-C stops it. Other weft commands find it with: export " + KafkaConnection.BOOTSTRAP_ENV
        + "=" + kafka.bootstrapServers());
    // Returns when Ctrl-C has closed the broker; throws, and so exits 1, if the broker fails.
    kafka.awaitShutdown();
    return 0;
  }
}
