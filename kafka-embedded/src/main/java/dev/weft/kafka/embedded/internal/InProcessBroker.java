package dev.weft.kafka.embedded.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft node, broker and controller combined, running in this JVM: Kafka's {@code KafkaRaftServer}, started on a
 * log folder it formats first if it is new. Not thread-safe; {@code EmbeddedKafka} and {@link BrokerProcessMain}
 * serialize the calls.
 */
public final class InProcessBroker {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessBroker.class);

  /** Starts on free ports are tried this often: a port found free can be taken before the broker binds it. */
  private static final int FREE_PORT_ATTEMPTS = 3;

  private final KafkaRaftServer server;
  private final LogDirLock lock;
  private final int port;
  private final int controllerPort;

  private InProcessBroker(KafkaRaftServer server, LogDirLock lock, int port, int controllerPort) {
    this.server = server;
    this.lock = lock;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Formats {@code logDir} if it holds no cluster yet, starts the node on it and returns once it serves clients.
   *
   * @param port the client port, or 0 for a free one
   * @param controllerPort the controller port, or 0 for a free one
   * @param overrides broker settings beside {@link BrokerSettings#SINGLE_NODE_DEFAULTS}
   * @throws IllegalArgumentException if a setting is invalid
   * @throws IllegalStateException if a port chosen by the caller is in use, or the node fails to start
   */
  public static InProcessBroker start(Path logDir, int port, int controllerPort, Map<String, String> overrides,
      Duration startTimeout) {
    for (int attempt = 1; ; attempt++) {
      int[] free = Ports.freePair();
      int clientPort = port != 0 ? port : free[0];
      // A fixed client port can be one of the free pair; the controller must not get the same one.
      int quorumPort = controllerPort != 0 ? controllerPort : free[1] != clientPort ? free[1] : free[0];
      try {
        return startOnce(logDir, clientPort, quorumPort, overrides, startTimeout);
      } catch (Ports.PortInUseException e) {
        boolean pickedByUs = e.port() == clientPort && port == 0 || e.port() == quorumPort && controllerPort == 0;
        if (!pickedByUs || attempt == FREE_PORT_ATTEMPTS) {
          throw e;
        }
        LOG.warn("A free port was taken before the broker could bind it; trying other ports: {}", e.getMessage());
      }
    }
  }

  private static InProcessBroker startOnce(Path logDir, int port, int controllerPort, Map<String, String> overrides,
      Duration startTimeout) {
    Ports.requireFree(port);
    Ports.requireFree(controllerPort);
    KafkaConfig config = parse(BrokerSettings.nodeConfig(logDir, port, controllerPort, overrides, startTimeout));
    LogDirLock lock = LogDirLock.acquire(logDir);
    try {
      formatIfNew(logDir);
      return new InProcessBroker(startServer(logDir, config, port, controllerPort), lock, port, controllerPort);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static KafkaRaftServer startServer(Path logDir, KafkaConfig config, int port, int controllerPort) {
    KafkaRaftServer server;
    try {
      server = new KafkaRaftServer(config, Time.SYSTEM);
    } catch (Exception e) {
      throw startFailure(logDir, e);
    }
    try {
      server.startup();
    } catch (Exception e) {
      stopAfterFailedStart(server, e);
      if (causedBy(e, BindException.class)) {
        // Ours to retry when the port was one we picked: someone took it between our check and Kafka's bind.
        throw new Ports.PortInUseException(causedByPort(e, port, controllerPort), e);
      }
      throw startFailure(logDir, e);
    }
    return server;
  }

  private static IllegalStateException startFailure(Path logDir, Exception cause) {
    return new IllegalStateException("the embedded Kafka broker on " + logDir + " failed to start: "
        + cause.getMessage(), cause);
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  /** The port of the KRaft controller listener. */
  public int controllerPort() {
    return controllerPort;
  }

  /** Stops the node cleanly: its log is flushed and closed, so a restart needs no recovery. Leaves the folder. */
  public void stop() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      lock.close();
    }
  }

  private static KafkaConfig parse(Map<String, String> settings) {
    try {
      // false: Kafka would log its ~400 settings at INFO on every start.
      return new KafkaConfig(settings, false);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid embedded Kafka broker setting: " + e.getMessage(), e);
    }
  }

  /**
   * A new folder gets a new cluster; a folder formatted before keeps its cluster, topics and records. The formatter's
   * own report goes to the debug log: it writes to standard output otherwise.
   */
  private static void formatIfNew(Path logDir) {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    Formatter formatter = new Formatter()
        .setPrintStream(new PrintStream(report, true, StandardCharsets.UTF_8))
        .setNodeId(BrokerSettings.NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir.toAbsolutePath().toString()))
        // With one folder in log.dirs and no metadata.log.dir, Kafka keeps the metadata log there too.
        .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
        .setControllerListenerName(BrokerSettings.CONTROLLER_LISTENER)
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
    try {
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format " + logDir + " for a Kafka broker: " + e.getMessage(), e);
    }
    LOG.debug("Formatted {}: {}", logDir, report.toString(StandardCharsets.UTF_8).strip());
  }

  private static void stopAfterFailedStart(KafkaRaftServer server, Exception startFailure) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      startFailure.addSuppressed(e);
    }
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  private static int causedByPort(Throwable failure, int port, int controllerPort) {
    String message = String.valueOf(failure.getMessage());
    return message.contains(":" + controllerPort) ? controllerPort : port;
  }
}
