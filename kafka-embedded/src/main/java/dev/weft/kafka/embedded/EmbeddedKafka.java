package dev.weft.kafka.embedded;

import dev.weft.connection.KafkaConnection;
import dev.weft.kafka.embedded.internal.BrokerSettings;
import dev.weft.kafka.embedded.internal.ChildProcessBroker;
import dev.weft.kafka.embedded.internal.Folders;
import dev.weft.kafka.embedded.internal.InProcessBroker;
import dev.weft.kafka.embedded.internal.JvmExitGuard;
import dev.weft.kafka.embedded.internal.KafkaRelease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker started by this JVM: one KRaft node, broker and controller combined, built from Apache Kafka's
 * own artifacts. It listens on 127.0.0.1 only, on free ports unless told otherwise, with settings for a single node
 * ({@link BrokerSettings#SINGLE_NODE_DEFAULTS}), and supports everything Kafka does: transactions, the consumer group
 * protocol of KIP-848, share groups.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   Map<String, Object> producerConfig = kafka.connection().clientProperties(Map.of(...));
 * }
 * }</pre>
 *
 * <p>Its log goes to a temporary folder that {@link #close()} deletes, or to a folder named with
 * {@link Builder#logDir(Path)}, which is kept and reused by the next broker started on it. It runs in this JVM, or
 * in a child JVM ({@link Builder#childProcess(boolean)}) that a test can {@link #kill()} and {@link #restart()}.
 *
 * <p>If this JVM exits while the broker runs (Ctrl-C, {@code System.exit}), a shutdown hook closes it, unless its
 * owner closes it itself ({@link Builder#closeOnExit(boolean)}). A fatal error
 * of an in-process broker, which in a Kafka server halts the JVM, is logged and fails the broker instead (see
 * {@link #awaitShutdown()}). Thread-safe.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The Apache Kafka release of the embedded broker, such as {@code 4.4.0}. */
  public static final String KAFKA_VERSION = KafkaRelease.version();

  /**
   * Options of a child broker's JVM unless {@link Builder#childJvmOptions(List)} replaces them: a broker with the
   * single-node settings fits in far less than the default quarter of the machine, and the serial collector uses no
   * threads of its own.
   */
  public static final List<String> DEFAULT_CHILD_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC");

  /** How long a start may take unless {@link Builder#startTimeout(Duration)} says otherwise. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(1);

  private final Path logDir;
  private final boolean temporaryLogDir;
  private final boolean childProcess;
  private final Map<String, String> brokerProperties;
  private final List<String> childJvmOptions;
  private final Duration startTimeout;
  private final Thread shutdownHook = new Thread(this::close, "weft-kafka-shutdown");
  private final Consumer<String> fatalErrorListener = this::fail;

  /** Notified when the broker closes or fails; never held while Kafka is called, so Kafka's threads may take it. */
  private final Object stateChange = new Object();
  private volatile boolean closed;
  private volatile String failure;

  // The ports are the first start's, so that a restart has the same address; controllerPort is 0 until then.
  // Written under this object's lock.
  private volatile int port;
  private int controllerPort;
  private InProcessBroker inProcessBroker;
  private ChildProcessBroker childBroker;

  /** Client settings the broker requires (SASL), or none. */
  private final Map<String, String> clientSecurity;

  private EmbeddedKafka(Builder builder, Path logDir, boolean temporaryLogDir) {
    this.logDir = logDir;
    this.temporaryLogDir = temporaryLogDir;
    this.childProcess = builder.childProcess;
    this.brokerProperties = Map.copyOf(builder.brokerProperties);
    this.childJvmOptions = builder.childJvmOptions;
    this.startTimeout = builder.startTimeout;
    this.port = builder.port;
    this.clientSecurity = Map.copyOf(builder.clientSecurity);
  }

  /** Starts a broker in this JVM on free ports, with a temporary log folder. */
  public static EmbeddedKafka start() {
    return builder().start();
  }

  /** A builder for a broker with a named log folder, a fixed port, a child JVM or other broker settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where clients connect: {@code 127.0.0.1:<port>}. The same after {@link #restart()}. */
  public String bootstrapServers() {
    return BrokerSettings.HOST + ":" + port;
  }

  /**
   * {@link #bootstrapServers()} as a connection, for code that also accepts external clusters; with the SASL settings
   * of {@link Builder#saslPlain} when the broker requires them.
   */
  public KafkaConnection connection() {
    return KafkaConnection.of(bootstrapServers(), clientSecurity);
  }

  /** The folder of the broker's metadata and partition logs. */
  public Path logDir() {
    return logDir;
  }

  /** Whether the broker runs in a child JVM. */
  public boolean isChildProcess() {
    return childProcess;
  }

  /**
   * Ends the child JVM with SIGKILL, as a crash would: the broker gets no chance to shut down, and keeps only what it
   * had written to the operating system. Returns once the process is gone; {@link #restart()} starts a new one on the
   * same folder and port. Does nothing if already killed.
   *
   * @throws IllegalStateException if the broker runs in this JVM, or is closed
   */
  public synchronized void kill() {
    requireOpen();
    if (!childProcess) {
      throw new IllegalStateException("kill() needs a broker in a child JVM (EmbeddedKafka.builder()"
          + ".childProcess(true)): killing an in-process broker would kill this JVM");
    }
    ChildProcessBroker killed = childBroker;
    childBroker = null;
    if (killed != null) {
      killed.kill();
      LOG.info("Killed the Kafka broker at {}", bootstrapServers());
    }
  }

  /**
   * Stops the broker cleanly if it runs, then starts it again on the same log folder and port; records and topics
   * survive. After {@link #kill()} this is the restart after a crash, with Kafka's log recovery.
   *
   * @throws IllegalStateException if the broker is closed, or does not start again
   */
  public synchronized void restart() {
    requireOpen();
    stopBroker();
    failure = null;
    startBroker();
  }

  /**
   * Blocks until {@link #close()} is called (on any thread, or by the shutdown hook) or the broker fails.
   *
   * @throws IllegalStateException if the broker failed: Kafka hit a fatal error, or the child JVM ended without
   *     {@link #kill()} or {@link #close()}
   */
  public void awaitShutdown() throws InterruptedException {
    synchronized (stateChange) {
      while (!closed && failure == null) {
        stateChange.wait();
      }
    }
    String reason = failure;
    if (reason != null) {
      throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers() + " failed: " + reason);
    }
  }

  /**
   * Stops the broker cleanly and, if its log folder is temporary, deletes the folder. Idempotent.
   *
   * @throws UncheckedIOException if the temporary folder cannot be deleted
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean started = controllerPort != 0;
    try {
      stopBroker();
    } finally {
      if (!childProcess) {
        JvmExitGuard.unregister(fatalErrorListener);
      }
      removeShutdownHook();
      synchronized (stateChange) {
        stateChange.notifyAll();
      }
      if (temporaryLogDir) {
        deleteLogDir();
      }
    }
    if (started) {
      LOG.info("Closed the Kafka broker at {}", bootstrapServers());
    }
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + (childProcess ? ", child JVM" : ", in-process") + ", " + logDir
        + (temporaryLogDir ? " (temporary)" : "") + "]";
  }

  private void startBroker() {
    long started = System.nanoTime();
    if (childProcess) {
      ChildProcessBroker child = ChildProcessBroker.start(logDir, port, controllerPort, brokerProperties,
          childJvmOptions, startTimeout);
      child.onExit().thenRun(() -> childExited(child));
      childBroker = child;
      port = child.port();
      controllerPort = child.controllerPort();
    } else {
      inProcessBroker = InProcessBroker.start(logDir, port, controllerPort, brokerProperties, startTimeout);
      port = inProcessBroker.port();
      controllerPort = inProcessBroker.controllerPort();
    }
    LOG.info("Kafka broker at {} started in {} ms ({}, log folder {})", bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000, childProcess ? "child JVM" : "in-process", logDir);
  }

  private void stopBroker() {
    if (inProcessBroker != null) {
      InProcessBroker stopping = inProcessBroker;
      inProcessBroker = null;
      stopping.stop();
    }
    if (childBroker != null) {
      ChildProcessBroker stopping = childBroker;
      childBroker = null;
      stopping.stop();
    }
  }

  /** Runs on the JVM's process reaper: must not take this object's lock, which a stop holds while it waits. */
  private void childExited(ChildProcessBroker child) {
    ChildProcessBroker current;
    synchronized (this) {
      current = childBroker;
    }
    if (child == current) {
      fail("its child JVM exited with status " + child.onExit().join().exitValue());
    }
  }

  private void fail(String reason) {
    failure = reason;
    synchronized (stateChange) {
      stateChange.notifyAll();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the embedded Kafka broker at " + bootstrapServers() + " is closed");
    }
  }

  private void removeShutdownHook() {
    if (Thread.currentThread() == shutdownHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already exiting, and another shutdown hook is closing this broker: ours runs but finds it closed.
      LOG.debug("JVM shutdown in progress; the shutdown hook of {} stays", this);
    }
  }

  private void deleteLogDir() {
    try {
      Folders.deleteRecursively(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the temporary log folder " + logDir + " of the Kafka broker", e);
    }
  }

  /** Settings of an {@link EmbeddedKafka}; {@link #start()} starts it. Not thread-safe. */
  public static final class Builder {
    private Path logDir;
    private int port;
    private boolean childProcess;
    private boolean closeOnExit = true;
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private List<String> childJvmOptions = DEFAULT_CHILD_JVM_OPTIONS;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private Map<String, String> clientSecurity = Map.of();

    private Builder() {}

    /**
     * Makes the client listener require SASL/PLAIN authentication (SASL_PLAINTEXT: a test of settings a secured cluster
     * needs, not security: nothing is encrypted), with one account, {@code user}; the broker uses it too.
     * {@link EmbeddedKafka#connection()} then carries the client settings that log in as {@code user}.
     */
    public Builder saslPlain(String user, String password) {
      if (user.isEmpty() || user.contains("\"") || password.contains("\"")) {
        throw new IllegalArgumentException("a SASL/PLAIN user and password must be non-empty and without quotes");
      }
      String login = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
          + "\" password=\"" + password + "\"";
      brokerProperties.put("sasl.enabled.mechanisms", "PLAIN");
      brokerProperties.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
      brokerProperties.put("listener.name." + BrokerSettings.CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT)
          + ".plain.sasl.jaas.config", login + " user_" + user + "=\"" + password + "\";");
      clientSecurity = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
          "sasl.jaas.config", login + ";");
      return this;
    }

    /**
     * Keeps the broker's log in {@code logDir}, created if missing, instead of a temporary folder. The folder is
     * never deleted: a broker started on it later finds its topics and records. Default: a new temporary folder,
     * deleted on {@link EmbeddedKafka#close()}.
     */
    public Builder logDir(Path logDir) {
      this.logDir = Objects.requireNonNull(logDir, "logDir");
      return this;
    }

    /** The port clients connect to on 127.0.0.1; 0, the default, picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 (a free port) to 65535, not " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Whether a shutdown hook of its own closes the broker when the JVM exits; default true. An owner whose clients run
     * in this JVM passes false and closes the broker itself, after them, from its own hook: the JVM runs hooks in no
     * order, and clients whose broker closed first wait out their timeouts (half a minute) to close.
     */
    public Builder closeOnExit(boolean closeOnExit) {
      this.closeOnExit = closeOnExit;
      return this;
    }

    /**
     * Runs the broker in a child JVM, which {@link EmbeddedKafka#kill()} can kill; default: in this JVM. The child
     * uses this JVM's {@code java} and class path, and takes a second or two longer to start.
     */
    public Builder childProcess(boolean childProcess) {
      this.childProcess = childProcess;
      return this;
    }

    /**
     * Sets a broker setting, as in Kafka's {@code server.properties}, over the single-node defaults. Listeners, log
     * folders, node id and roles are the embedded broker's own ({@link BrokerSettings#RESERVED_KEYS}).
     *
     * @throws IllegalArgumentException if {@code key} is one of the embedded broker's own
     */
    public Builder brokerProperty(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, () -> "value of broker property " + key);
      BrokerSettings.requireOverridable(key);
      brokerProperties.put(key, value);
      return this;
    }

    /** {@link #brokerProperty(String, String)} for each entry. */
    public Builder brokerProperties(Map<String, String> properties) {
      properties.forEach(this::brokerProperty);
      return this;
    }

    /** Options of the child JVM's {@code java} command, replacing {@link #DEFAULT_CHILD_JVM_OPTIONS}. */
    public Builder childJvmOptions(List<String> options) {
      this.childJvmOptions = List.copyOf(options);
      return this;
    }

    /** How long {@link #start()} and {@link EmbeddedKafka#restart()} may take; default one minute. */
    public Builder startTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("start timeout must be positive, not " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Starts the broker and returns once it serves clients.
     *
     * @throws IllegalArgumentException if a broker property is invalid
     * @throws IllegalStateException if the port is in use or the broker does not start
     * @throws UncheckedIOException if the log folder cannot be created
     */
    public EmbeddedKafka start() {
      boolean temporary = logDir == null;
      Path folder;
      try {
        folder = temporary ? Files.createTempDirectory("weft-kafka-") : Files.createDirectories(logDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the Kafka log folder " + (temporary ? "in "
            + System.getProperty("java.io.tmpdir") : logDir), e);
      }
      EmbeddedKafka kafka = new EmbeddedKafka(this, folder, temporary);
      try {
        if (!childProcess) {
          JvmExitGuard.register(kafka.fatalErrorListener);
        }
        synchronized (kafka) {
          kafka.startBroker();
        }
        if (closeOnExit) {
          Runtime.getRuntime().addShutdownHook(kafka.shutdownHook);
        }
        return kafka;
      } catch (RuntimeException e) {
        try {
          kafka.close();
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
  }
}
