package dev.weft.registry.embedded;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema registry a one-machine Weft talks to: the one configured, or, when no URL is configured, an
 * {@link EmbeddedSchemaRegistry} started for it and stopped with it.
 */
public final class RegistryEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RegistryEndpoint.class);

  private final String url;
  private final EmbeddedSchemaRegistry embedded;

  private RegistryEndpoint(String url, EmbeddedSchemaRegistry embedded) {
    this.url = url;
    this.embedded = embedded;
  }

  /**
   * @param configuredUrl the configured registry URL (or comma-separated URLs); null or blank when none is
   * @param store the store of the embedded registry, asked for only when one is started
   */
  public static RegistryEndpoint configuredOrEmbedded(String configuredUrl, Supplier<SchemaStore> store) {
    if (configuredUrl != null && !configuredUrl.isBlank()) {
      return new RegistryEndpoint(configuredUrl.strip(), null);
    }
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(store.get());
    log.info("No schema registry URL configured: started an embedded registry at {}", registry.url());
    return new RegistryEndpoint(registry.url(), registry);
  }

  /** The value for {@code schema.registry.url}. */
  public String url() {
    return url;
  }

  /** Whether this endpoint started the registry it points to. */
  public boolean embedded() {
    return embedded != null;
  }

  /** Stops the embedded registry, if one was started; a configured one is left alone. */
  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
