package dev.weft.kafka.embedded.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The configuration of a one-node Kafka cluster: where it listens and keeps its log, which this module decides, and
 * the tuning that suits a single node, which a caller may override.
 */
public final class BrokerSettings {
  private BrokerSettings() {}

  /** The node's id. Stored in the log folder when it is formatted, so it never changes. */
  public static final int NODE_ID = 1;

  /** The listener clients connect to. */
  public static final String CLIENT_LISTENER = "PLAINTEXT";

  /** The listener of the KRaft controller; only the node itself connects to it. */
  public static final String CONTROLLER_LISTENER = "CONTROLLER";

  /** Every listener binds this address: the embedded broker is never reachable from another machine. */
  public static final String HOST = "127.0.0.1";

  /**
   * Settings for a cluster of one node, each overridable. Kafka's defaults are sized for three or more nodes; these
   * make the internal topics creatable and the first group rebalance fast.
   */
  public static final Map<String, String> SINGLE_NODE_DEFAULTS = singleNodeDefaults();

  /**
   * Keys that say where the node listens and keeps its log, or which roles it has. This module sets them; an override
   * would break the loopback-only promise, the restart on the same folder, or the one-node quorum.
   */
  public static final Set<String> RESERVED_KEYS = Set.of("process.roles", "node.id", "listeners",
      "advertised.listeners", "listener.security.protocol.map", "controller.listener.names",
      "inter.broker.listener.name", "controller.quorum.voters", "controller.quorum.bootstrap.servers", "log.dirs",
      "log.dir", "metadata.log.dir");

  private static Map<String, String> singleNodeDefaults() {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String topic : new String[] {"offsets.topic", "transaction.state.log", "share.coordinator.state.topic"}) {
      // One node holds one replica; with Kafka's default of 3 the internal topics can never be created.
      settings.put(topic + ".replication.factor", "1");
      // 50 partitions spread coordinator load over a cluster; on one node they only add open files and load time
      // when the first group or transaction appears.
      settings.put(topic + ".num.partitions", "5");
    }
    settings.put("transaction.state.log.min.isr", "1");
    settings.put("share.coordinator.state.topic.min.isr", "1");
    // Nobody else is going to join: the default 3 s wait for more members only delays the first classic rebalance.
    settings.put("group.initial.rebalance.delay.ms", "0");
    // The new consumer and share group protocols (KIP-848, KIP-932) advance assignments on heartbeats; at the 5 s
    // default a rebalance takes over 5 s, at 500 ms under 2 s. Loopback heartbeats cost nothing.
    settings.put("group.consumer.heartbeat.interval.ms", "500");
    settings.put("group.consumer.min.heartbeat.interval.ms", "500");
    settings.put("group.share.heartbeat.interval.ms", "500");
    settings.put("group.share.min.heartbeat.interval.ms", "500");
    // A consumer that dies without leaving (kill -9) keeps its partitions until its session expires: 45 s by
    // default, a long stall on one machine where a dead process is plain to see. Weft's workers rely on this to
    // hand a dead worker's tasks to the others.
    settings.put("group.consumer.session.timeout.ms", "6000");
    settings.put("group.consumer.min.session.timeout.ms", "1000");
    // A broker restarted after a crash cannot register again until the controller gives up on its old session: with
    // Kafka's 9 s a one-node cluster is down 9 s longer than it needs. Heartbeats over loopback are cheap and
    // punctual, so six of them make the session.
    settings.put("broker.heartbeat.interval.ms", "500");
    settings.put("broker.session.timeout.ms", "3000");
    // The log cleaner allocates this buffer up front; the 128 MiB default is most of a small JVM's heap.
    settings.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 << 20));
    return Map.copyOf(settings);
  }

  /**
   * Fails unless {@code key} may be set by a caller.
   *
   * @throws IllegalArgumentException if {@code key} is one of {@link #RESERVED_KEYS}
   */
  public static void requireOverridable(String key) {
    if (RESERVED_KEYS.contains(key)) {
      throw new IllegalArgumentException("broker property '" + key + "' is set by the embedded broker itself: it"
          + " listens on " + HOST + " only, on the port it is given, and keeps its log in its log folder");
    }
  }

  /**
   * The full configuration of a combined broker and controller.
   *
   * @param logDir the folder for both the metadata log and the partition logs
   * @param port the client listener's port, not 0
   * @param controllerPort the controller listener's port, not 0
   * @param overrides settings that replace {@link #SINGLE_NODE_DEFAULTS} or add to them; none of {@link #RESERVED_KEYS}
   * @param startTimeout how long the node may take to start before it gives up
   * @throws IllegalArgumentException if an override names a reserved key
   */
  public static Map<String, String> nodeConfig(Path logDir, int port, int controllerPort, Map<String, String> overrides,
      Duration startTimeout) {
    overrides.keySet().forEach(BrokerSettings::requireOverridable);
    Map<String, String> config = new LinkedHashMap<>(SINGLE_NODE_DEFAULTS);
    config.putAll(overrides);
    config.put("process.roles", "broker,controller");
    config.put("node.id", Integer.toString(NODE_ID));
    config.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    config.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
        + controllerPort);
    config.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + port);
    // With SASL mechanisms enabled (EmbeddedKafka.Builder.saslPlain), the client listener authenticates its clients.
    String clientProtocol = config.containsKey("sasl.enabled.mechanisms") ? "SASL_PLAINTEXT" : "PLAINTEXT";
    config.put("listener.security.protocol.map", CLIENT_LISTENER + ":" + clientProtocol + "," + CONTROLLER_LISTENER
        + ":PLAINTEXT");
    config.put("controller.listener.names", CONTROLLER_LISTENER);
    config.put("inter.broker.listener.name", CLIENT_LISTENER);
    config.put("log.dirs", logDir.toAbsolutePath().toString());
    config.putIfAbsent("server.max.startup.time.ms", Long.toString(startTimeout.toMillis()));
    return config;
  }
}
