package dev.weft.registry.embedded;

import com.sun.net.httpserver.HttpServer;
import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.embedded.internal.RegistryService;
import dev.weft.registry.embedded.internal.RegistryState;
import dev.weft.registry.embedded.internal.RestApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry inside this JVM, for the one-machine mode and for tests: an HTTP server that serves the Confluent
 * Schema Registry REST API for Avro schemas, with Confluent's semantics (global ids, versions per subject, BACKWARD
 * compatibility by default, soft and permanent deletes, Confluent's error codes), so that any Confluent-compatible
 * client or serializer works against it.
 *
 * <p>Its schemas live in a {@link SchemaStore}: a {@link KafkaSchemaStore} keeps them in a compacted topic, so they
 * survive restarts and several registries on one topic agree; an {@link InMemorySchemaStore} keeps them for the life
 * of the process. The registry owns its store and closes it.
 *
 * <p>It listens on 127.0.0.1 unless told otherwise, and refuses request bodies over a size limit. It serves neither
 * TLS nor authentication: it is meant for a trusted machine.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  /** Largest request body accepted, by default: far above any real schema, far below any memory concern. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 4 << 20;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  private static final InetAddress LOCALHOST = localhost();

  static {
    // The JDK's HTTP server writes a response's headers and body separately; with Nagle's algorithm on, the body
    // waits for the client's delayed ACK, and every request costs 40 ms. The server reads this property once, when
    // its first instance starts, so it is set here unless the application chose otherwise.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final SchemaStore store;
  private final HttpServer server;
  private final ExecutorService executor;
  private final RestApi api;
  private final String url;
  private volatile boolean closed;

  private EmbeddedSchemaRegistry(Builder builder) {
    this.store = Objects.requireNonNull(builder.store, "a schema store is required");
    RegistryState state = new RegistryState();
    store.open(state::apply);
    this.api = new RestApi(new RegistryService(store, state, builder.defaultCompatibility), builder.maxRequestBytes);
    this.executor = Executors.newFixedThreadPool(builder.threads, new DaemonThreads());
    try {
      this.server = HttpServer.create(new InetSocketAddress(builder.bindAddress, builder.port), 64);
    } catch (IOException e) {
      executor.shutdownNow();
      store.close();
      throw new UncheckedIOException("cannot listen on " + builder.bindAddress.getHostAddress() + ":" + builder.port
          + " for the schema registry: " + e.getMessage(), e);
    }
    server.createContext("/", api);
    server.setExecutor(executor);
    server.start();
    String host = builder.bindAddress.getHostAddress();
    this.url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getAddress().getPort();
    log.info("Schema registry listening at {}", url);
  }

  /** A registry on 127.0.0.1 and a free port, over {@code store}. */
  public static EmbeddedSchemaRegistry start(SchemaStore store) {
    return builder().store(store).start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base URL clients use, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return url;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * The HTTP requests received since start, whatever their outcome: tests use it to prove that a client answered
   * from its cache.
   */
  public long requestCount() {
    return api.requestCount();
  }

  /** Stops listening and closes the store. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
    store.close();
    log.info("Schema registry at {} stopped", url);
  }

  private static InetAddress localhost() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // only for an address of the wrong length
    }
  }

  /** Builds and starts an {@link EmbeddedSchemaRegistry}. Only the store is required. */
  public static final class Builder {
    private SchemaStore store;
    private InetAddress bindAddress = LOCALHOST;
    private int port;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private CompatibilityLevel defaultCompatibility = CompatibilityLevel.BACKWARD;
    private int threads = 4;

    private Builder() {}

    public Builder store(SchemaStore store) {
      this.store = store;
      return this;
    }

    /** The address to listen on; 127.0.0.1 by default. Any other exposes an unauthenticated API. */
    public Builder bindAddress(InetAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The port; 0, the default, picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    public Builder maxRequestBytes(int maxBytes) {
      if (maxBytes < 1024) {
        throw new IllegalArgumentException("a request limit under 1 KiB would refuse ordinary schemas: " + maxBytes);
      }
      this.maxRequestBytes = maxBytes;
      return this;
    }

    /** The level of subjects and of the registry when none is set through the API; BACKWARD, as Confluent's. */
    public Builder defaultCompatibility(CompatibilityLevel level) {
      this.defaultCompatibility = Objects.requireNonNull(level, "level");
      return this;
    }

    /** Threads serving requests; 4 by default. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be positive: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Opens the store (reading what it holds) and starts listening.
     *
     * @throws UncheckedIOException when the address cannot be bound
     * @throws SchemaStoreException when the store cannot be read
     */
    public EmbeddedSchemaRegistry start() {
      return new EmbeddedSchemaRegistry(this);
    }
  }

  private static final class DaemonThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "weft-schema-registry-http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }
}
