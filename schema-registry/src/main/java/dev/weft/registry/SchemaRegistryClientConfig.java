package dev.weft.registry;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration of a {@link RestSchemaRegistryClient} built from Kafka-style properties, as the serializers
 * receive them. The keys are Confluent's where Confluent has one with the same meaning, so an existing client
 * configuration carries over.
 */
public final class SchemaRegistryClientConfig extends AbstractConfig {

  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  public static final String SCHEMA_REGISTRY_URL_DOC = "Comma-separated base URLs of the schema registry, tried in"
      + " turn when one does not answer. A URL may carry user info (http://user:password@host:8081) for basic"
      + " authentication.";

  public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
  public static final String BASIC_AUTH_USER_INFO_DOC = "Credentials for HTTP basic authentication, as"
      + " user:password. Overrides user info in the URLs. Not together with bearer.auth.token.";

  public static final String BEARER_AUTH_TOKEN_CONFIG = "bearer.auth.token";
  public static final String BEARER_AUTH_TOKEN_DOC = "A static token sent as 'Authorization: Bearer <token>'.";

  public static final String REQUEST_HEADER_PREFIX = "request.header.";
  public static final String REQUEST_HEADER_DOC = "Properties named request.header.<Name> add the header <Name> to"
      + " every request, for gateways and proxies in front of the registry.";

  public static final String MAX_RETRIES_CONFIG = "max.retries";
  public static final String MAX_RETRIES_DOC = "How many times a request is retried after HTTP 408, 429 or 5xx or"
      + " no answer, moving on to the next URL each time.";
  public static final int MAX_RETRIES_DEFAULT = 3;

  public static final String RETRIES_WAIT_MS_CONFIG = "retries.wait.ms";
  public static final String RETRIES_WAIT_MS_DOC = "The wait before the first retry; it doubles with each retry.";
  public static final long RETRIES_WAIT_MS_DEFAULT = 100;

  public static final String RETRIES_MAX_WAIT_MS_CONFIG = "retries.max.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS_DOC = "The longest wait between retries, also the cap on a"
      + " Retry-After header.";
  public static final long RETRIES_MAX_WAIT_MS_DEFAULT = 2_000;

  public static final String CACHE_CAPACITY_CONFIG = "max.schemas.per.subject";
  public static final String CACHE_CAPACITY_DOC = "How many entries each of the client's caches (schema to id, id to"
      + " schema, subject versions) keeps; the least recently used go first.";
  public static final int CACHE_CAPACITY_DEFAULT = 1_000;

  public static final String LATEST_CACHE_TTL_SEC_CONFIG = "latest.cache.ttl.sec";
  public static final String LATEST_CACHE_TTL_SEC_DOC = "How long the latest version of a subject is cached: a"
      + " version registered since shows after at most this long. 0 disables the cache, -1 keeps entries until"
      + " evicted.";
  public static final long LATEST_CACHE_TTL_SEC_DEFAULT = 60;

  public static final String CONNECT_TIMEOUT_MS_CONFIG = "http.connect.timeout.ms";
  public static final String CONNECT_TIMEOUT_MS_DOC = "The longest wait for a connection to the registry.";
  public static final int CONNECT_TIMEOUT_MS_DEFAULT = 10_000;

  public static final String REQUEST_TIMEOUT_MS_CONFIG = "http.read.timeout.ms";
  public static final String REQUEST_TIMEOUT_MS_DOC = "The longest wait for the registry's answer to one request.";
  public static final int REQUEST_TIMEOUT_MS_DEFAULT = 30_000;

  public static final String MAX_RESPONSE_BYTES_CONFIG = "http.max.response.bytes";
  public static final String MAX_RESPONSE_BYTES_DOC = "The largest answer the client reads from the registry; a"
      + " larger one fails the call rather than filling memory.";
  public static final int MAX_RESPONSE_BYTES_DEFAULT = 16 << 20;

  private static final ConfigDef CONFIG = addTo(new ConfigDef());

  public SchemaRegistryClientConfig(Map<String, ?> originals) {
    super(CONFIG, originals, false);
  }

  /** Adds the client's keys to {@code definition}, so that serializer configurations can include them. */
  public static ConfigDef addTo(ConfigDef definition) {
    return definition
        .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, List.of(), Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
        .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, BASIC_AUTH_USER_INFO_DOC)
        .define(BEARER_AUTH_TOKEN_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, BEARER_AUTH_TOKEN_DOC)
        .define(MAX_RETRIES_CONFIG, Type.INT, MAX_RETRIES_DEFAULT, Range.atLeast(0), Importance.LOW, MAX_RETRIES_DOC)
        .define(RETRIES_WAIT_MS_CONFIG, Type.LONG, RETRIES_WAIT_MS_DEFAULT, Range.atLeast(0), Importance.LOW,
            RETRIES_WAIT_MS_DOC)
        .define(RETRIES_MAX_WAIT_MS_CONFIG, Type.LONG, RETRIES_MAX_WAIT_MS_DEFAULT, Range.atLeast(0), Importance.LOW,
            RETRIES_MAX_WAIT_MS_DOC)
        .define(CACHE_CAPACITY_CONFIG, Type.INT, CACHE_CAPACITY_DEFAULT, Range.atLeast(1), Importance.LOW,
            CACHE_CAPACITY_DOC)
        .define(LATEST_CACHE_TTL_SEC_CONFIG, Type.LONG, LATEST_CACHE_TTL_SEC_DEFAULT, Range.atLeast(-1),
            Importance.LOW, LATEST_CACHE_TTL_SEC_DOC)
        .define(CONNECT_TIMEOUT_MS_CONFIG, Type.INT, CONNECT_TIMEOUT_MS_DEFAULT, Range.atLeast(1), Importance.LOW,
            CONNECT_TIMEOUT_MS_DOC)
        .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, REQUEST_TIMEOUT_MS_DEFAULT, Range.atLeast(1), Importance.LOW,
            REQUEST_TIMEOUT_MS_DOC)
        .define(MAX_RESPONSE_BYTES_CONFIG, Type.INT, MAX_RESPONSE_BYTES_DEFAULT, Range.atLeast(1024),
            Importance.LOW, MAX_RESPONSE_BYTES_DOC);
  }

  /** The extra request headers: every {@value #REQUEST_HEADER_PREFIX}{@code <Name>} property. */
  public Map<String, Object> requestHeaders() {
    return originalsWithPrefix(REQUEST_HEADER_PREFIX);
  }
}
