package dev.weft.cli;

import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.connection.KafkaConnection;
import dev.weft.connection.WeftConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Option;

/**
 * Where Kafka and the schema registry are, for the commands that talk to a running deployment. Defaults come from the
 * environment ({@code WEFT_KAFKA_BOOTSTRAP}, {@code WEFT_KAFKA_PROPERTIES}, {@code WEFT_REGISTRY_URL}), as
 * {@code weft up --keep-running} prints them.
 */
final class ConnectionOptions {
  static final String REGISTRY_ENV = WeftConnection.REGISTRY_ENV;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (default: $WEFT_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Option(names = "--registry", paramLabel = "URL", description = "Schema registry URL (default: $WEFT_REGISTRY_URL).")
  String registry;

  @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE",
      description = "A Weft or Kafka client setting (weft.topic.prefix, security.protocol, ...); repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** How long a command waits for Kafka or the registry to answer at its start before it says it cannot reach them. */
  static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The settings, once the schema registry and Kafka have answered (about 10 s for each at most): a deployment that is not there is said in
   * seconds, naming the address and where it came from (a Kafka client would retry for a minute, warning all along).
   *
   * @throws IllegalStateException naming what cannot be reached
   */
  Map<String, Object> reachableConfig() {
    Map<String, Object> config = config();
    String registryUrls = (String) config.get(WeftKafkaConfig.SCHEMA_REGISTRY_URL);
    String registrySource = registry != null ? "--registry" : "$" + REGISTRY_ENV;
    IOException registryFailure = null;
    HttpClient http = HttpClient.newBuilder().connectTimeout(REACH_TIMEOUT).build();
    for (String url : registryUrls.split(",")) {
      try {
        // Any answer, even a refusal, is a registry that is there.
        http.send(HttpRequest.newBuilder(URI.create(url.strip().replaceAll("/+$", "") + "/subjects"))
            .timeout(REACH_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
        registryFailure = null;
        break;
      } catch (IOException | IllegalArgumentException e) {
        registryFailure = e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reaching the schema registry", e);
      }
    }
    if (registryFailure != null) {
      throw new IllegalStateException("cannot reach the schema registry at " + registryUrls + " (from "
          + registrySource + "): " + registryFailure + ". Is it running? A registry that 'weft up' started stops with"
          + " it: set " + REGISTRY_ENV + " anew, or pass --registry");
    }
    String servers = String.valueOf(config.get(WeftKafkaConfig.BOOTSTRAP_SERVERS));
    String kafkaSource = bootstrap != null ? "--bootstrap" : "$" + KafkaConnection.BOOTSTRAP_ENV;
    Map<String, Object> admin = new HashMap<>(new WeftKafkaConfig(config).clientProperties());
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis());
    Admin client = Admin.create(admin);
    try {
      client.describeCluster().nodes().get(REACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot reach Kafka at " + servers + " (from " + kafkaSource + ") within "
          + REACH_TIMEOUT.toSeconds() + " s: " + cause + ". Is it running? Pass --bootstrap or set "
          + KafkaConnection.BOOTSTRAP_ENV);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching Kafka", e);
    } finally {
      client.close(Duration.ofSeconds(1));
    }
    return config;
  }

  /**
   * The settings, once the registry and Kafka answer, waiting for them as long as it takes: a service started with
   * its deployment (compose, systemd) comes up when they do. What it waits for is said at each try (every 10 s or so).
   */
  Map<String, Object> awaitReachableConfig() throws InterruptedException {
    while (true) {
      try {
        return reachableConfig();
      } catch (IllegalStateException unreachable) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("stopped while waiting for Kafka and the registry");
        }
        System.err.println("weft: " + unreachable.getMessage() + "; waiting for it (Ctrl-C stops)");
        Thread.sleep(1_000);
      }
    }
  }

  /** The settings for WeftKafkaConfig and its subclasses. */
  Map<String, Object> config() {
    Map<String, Object> config = new HashMap<>();
    KafkaConnection connection = bootstrap != null
        ? KafkaConnection.of(bootstrap)
        : KafkaConnection.fromEnvironment().orElseThrow(() -> new IllegalArgumentException(
            "where is Kafka? pass --bootstrap or set " + KafkaConnection.BOOTSTRAP_ENV + " (weft up --keep-running "
                + "prints it)"));
    config.putAll(connection.clientProperties());
    String registryUrl = registry != null ? registry : WeftConnection.registryUrl().orElse(null);
    if (registryUrl == null) {
      throw new IllegalArgumentException("where is the schema registry? pass --registry or set " + REGISTRY_ENV);
    }
    config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, registryUrl);
    config.putAll(settings);
    return config;
  }
}
