package dev.weft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.registry.internal.BoundedCache;
import dev.weft.registry.internal.HttpTransport;
import dev.weft.registry.internal.HttpTransport.RetryPolicy;
import dev.weft.registry.internal.UrlPaths;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * A {@link SchemaRegistryClient} over the registry's REST API, with the JDK's HTTP client.
 *
 * <p>It caches as Confluent's {@code CachedSchemaRegistryClient} does: what cannot change is kept until evicted (the id
 * of a schema registered or looked up under a subject, the schema of an id, a numbered version of a subject), and the
 * latest version of a subject is kept for a configured time. The lists (subjects, versions), compatibility tests and
 * configuration are always asked. Requests fail over between the configured URLs and are retried with backoff on 408,
 * 429, 5xx and no answer.
 *
 * <p>Build one with {@link #builder()}, or from Kafka-style properties with {@link #fromConfigs(Map)}.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private final HttpTransport transport;
  private final ObjectMapper json = new ObjectMapper();
  private final BoundedCache<SchemaKey, Integer> idsBySchema;
  private final BoundedCache<SchemaKey, RegisteredSchema> lookups;
  private final BoundedCache<Integer, Schema> schemasById;
  private final BoundedCache<VersionKey, RegisteredSchema> versionsBySubject;
  private final BoundedCache<String, RegisteredSchema> latestBySubject;

  private record SchemaKey(String subject, boolean normalize, Schema schema) {}

  private record VersionKey(String subject, int version) {}

  private RestSchemaRegistryClient(Builder builder) {
    if (builder.urls.isEmpty()) {
      throw new IllegalArgumentException("no schema registry URL");
    }
    List<URI> baseUrls = new ArrayList<>();
    String urlUserInfo = null;
    for (String url : builder.urls) {
      URI uri = parseBaseUrl(url);
      if (uri.getUserInfo() != null && urlUserInfo == null) {
        urlUserInfo = uri.getUserInfo();
      }
      baseUrls.add(withoutUserInfo(uri));
    }
    Map<String, String> headers = new LinkedHashMap<>(builder.headers);
    String userInfo = builder.userInfo != null ? builder.userInfo : urlUserInfo;
    if (userInfo != null && builder.bearerToken != null) {
      throw new IllegalArgumentException("both basic authentication and a bearer token are configured: choose one");
    }
    if (userInfo != null) {
      headers.put("Authorization", "Basic "
          + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    } else if (builder.bearerToken != null) {
      headers.put("Authorization", "Bearer " + builder.bearerToken);
    }
    this.transport = new HttpTransport(baseUrls, headers, builder.retries, builder.connectTimeout,
        builder.requestTimeout, builder.maxResponseBytes, json);
    int capacity = builder.cacheCapacity;
    this.idsBySchema = new BoundedCache<>(capacity);
    this.lookups = new BoundedCache<>(capacity);
    this.schemasById = new BoundedCache<>(capacity);
    this.versionsBySubject = new BoundedCache<>(capacity);
    long ttl = builder.latestTtl == null ? -1 : builder.latestTtl.toMillis();
    this.latestBySubject = new BoundedCache<>(capacity, ttl, builder.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client configured by the keys of {@link SchemaRegistryClientConfig}; other keys are ignored, so a serializer's
   * whole configuration may be passed.
   *
   * @throws ConfigException when a value is invalid or no URL is given
   */
  public static RestSchemaRegistryClient fromConfigs(Map<String, ?> configs) {
    SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
    List<String> urls = config.getList(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG);
    if (urls.isEmpty()) {
      throw new ConfigException(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG + " is required: the URL of"
          + " the schema registry");
    }
    Builder builder = builder().baseUrls(urls)
        .maxRetries(config.getInt(SchemaRegistryClientConfig.MAX_RETRIES_CONFIG))
        .retryBackoff(Duration.ofMillis(config.getLong(SchemaRegistryClientConfig.RETRIES_WAIT_MS_CONFIG)),
            Duration.ofMillis(config.getLong(SchemaRegistryClientConfig.RETRIES_MAX_WAIT_MS_CONFIG)))
        .cacheCapacity(config.getInt(SchemaRegistryClientConfig.CACHE_CAPACITY_CONFIG))
        .connectTimeout(Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.CONNECT_TIMEOUT_MS_CONFIG)))
        .requestTimeout(Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS_CONFIG)))
        .maxResponseBytes(config.getInt(SchemaRegistryClientConfig.MAX_RESPONSE_BYTES_CONFIG));
    long ttlSeconds = config.getLong(SchemaRegistryClientConfig.LATEST_CACHE_TTL_SEC_CONFIG);
    builder.latestTtl(ttlSeconds < 0 ? null : Duration.ofSeconds(ttlSeconds));
    Password userInfo = config.getPassword(SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO_CONFIG);
    if (userInfo != null) {
      builder.basicAuthUserInfo(userInfo.value());
    }
    Password token = config.getPassword(SchemaRegistryClientConfig.BEARER_AUTH_TOKEN_CONFIG);
    if (token != null) {
      builder.bearerToken(token.value());
    }
    config.requestHeaders().forEach((name, value) -> builder.header(name, String.valueOf(value)));
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid schema registry client configuration: " + e.getMessage());
    }
  }

  /** The base URLs, without user info. */
  public List<URI> baseUrls() {
    return transport.baseUrls();
  }

  @Override
  public int register(String subject, Schema schema, boolean normalize) {
    SchemaKey key = new SchemaKey(subject, normalize, schema);
    Integer cached = idsBySchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = transport.send("POST", subjectPath(subject) + "/versions" + normalizeQuery(normalize),
        schemaBody(schema), "registering a schema under subject '" + subject + "'");
    int id = requiredInt(answer, "id", "registering under '" + subject + "'");
    idsBySchema.put(key, id);
    if (schemasById.get(id) == null) {
      schemasById.put(id, schema);
    }
    return id;
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema, boolean normalize) {
    SchemaKey key = new SchemaKey(subject, normalize, schema);
    RegisteredSchema cached = lookups.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = transport.send("POST", subjectPath(subject) + normalizeQuery(normalize), schemaBody(schema),
        "looking up a schema under subject '" + subject + "'");
    RegisteredSchema found = registeredSchema(answer, subject);
    lookups.put(key, found);
    idsBySchema.put(key, found.id());
    return found;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    String what = "fetching schema id " + id;
    JsonNode answer = transport.send("GET", "/schemas/ids/" + id, null, what);
    Schema schema = parse(answer, what);
    schemasById.put(id, schema);
    return schema;
  }

  @Override
  public List<String> subjects() {
    JsonNode answer = transport.send("GET", "/subjects", null, "listing subjects");
    List<String> subjects = new ArrayList<>();
    requiredArray(answer, "listing subjects").forEach(subject -> subjects.add(subject.asText()));
    return subjects;
  }

  @Override
  public List<Integer> versions(String subject) {
    String what = "listing the versions of subject '" + subject + "'";
    return intList(transport.send("GET", subjectPath(subject) + "/versions", null, what), what);
  }

  @Override
  public RegisteredSchema version(String subject, int version) {
    VersionKey key = new VersionKey(subject, version);
    RegisteredSchema cached = versionsBySubject.get(key);
    if (cached != null) {
      return cached;
    }
    RegisteredSchema found = fetchVersion(subject, Integer.toString(version));
    versionsBySubject.put(key, found);
    return found;
  }

  @Override
  public RegisteredSchema latest(String subject) {
    RegisteredSchema cached = latestBySubject.get(subject);
    if (cached != null) {
      return cached;
    }
    RegisteredSchema found = fetchVersion(subject, "latest");
    latestBySubject.put(subject, found);
    versionsBySubject.put(new VersionKey(subject, found.version()), found);
    return found;
  }

  @Override
  public CompatibilityResult testCompatibility(String subject, String version, Schema schema, boolean verbose) {
    String what = "testing compatibility with version " + version + " of subject '" + subject + "'";
    JsonNode answer = transport.send("POST", "/compatibility" + subjectPath(subject) + "/versions/"
        + UrlPaths.encodeSegment(version) + (verbose ? "?verbose=true" : ""), schemaBody(schema), what);
    JsonNode compatible = answer.get("is_compatible");
    if (compatible == null || !compatible.isBoolean()) {
      throw malformed(what, "no boolean is_compatible in " + answer);
    }
    List<String> messages = new ArrayList<>();
    answer.path("messages").forEach(message -> messages.add(message.asText()));
    return new CompatibilityResult(compatible.asBoolean(), messages);
  }

  @Override
  public CompatibilityLevel compatibility() {
    return level(transport.send("GET", "/config", null, "reading the global compatibility level"),
        "compatibilityLevel", "reading the global compatibility level");
  }

  @Override
  public CompatibilityLevel compatibility(String subject) {
    String what = "reading the compatibility level of subject '" + subject + "'";
    return level(transport.send("GET", "/config/" + UrlPaths.encodeSegment(subject) + "?defaultToGlobal=true", null,
        what), "compatibilityLevel", what);
  }

  @Override
  public CompatibilityLevel setCompatibility(CompatibilityLevel level) {
    String what = "setting the global compatibility level to " + level;
    return level(transport.send("PUT", "/config", levelBody(level), what), "compatibility", what);
  }

  @Override
  public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
    String what = "setting the compatibility level of subject '" + subject + "' to " + level;
    return level(transport.send("PUT", "/config/" + UrlPaths.encodeSegment(subject), levelBody(level), what),
        "compatibility", what);
  }

  @Override
  public List<Integer> deleteSubject(String subject, boolean permanent) {
    String what = (permanent ? "permanently deleting" : "deleting") + " subject '" + subject + "'";
    List<Integer> deleted = intList(transport.send("DELETE", subjectPath(subject)
        + (permanent ? "?permanent=true" : ""), null, what), what);
    latestBySubject.removeIf(subject::equals);
    versionsBySubject.removeIf(key -> key.subject().equals(subject));
    idsBySchema.removeIf(key -> key.subject().equals(subject));
    lookups.removeIf(key -> key.subject().equals(subject));
    return deleted;
  }

  @Override
  public void close() {
    idsBySchema.clear();
    lookups.clear();
    schemasById.clear();
    versionsBySubject.clear();
    latestBySubject.clear();
  }

  private RegisteredSchema fetchVersion(String subject, String version) {
    String what = "fetching version " + version + " of subject '" + subject + "'";
    return registeredSchema(transport.send("GET", subjectPath(subject) + "/versions/" + version, null, what),
        subject);
  }

  private RegisteredSchema registeredSchema(JsonNode answer, String subject) {
    String what = "reading a version of subject '" + subject + "'";
    int id = requiredInt(answer, "id", what);
    int version = requiredInt(answer, "version", what);
    Schema schema = schemasById.get(id);
    if (schema == null) {
      schema = parse(answer, what);
      schemasById.put(id, schema);
    }
    return new RegisteredSchema(answer.path("subject").asText(subject), id, version, schema);
  }

  private Schema parse(JsonNode answer, String what) {
    String type = answer.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw malformed(what, "the schema is of type " + type + "; Weft reads Avro schemas only");
    }
    JsonNode text = answer.get("schema");
    if (text == null || !text.isTextual()) {
      throw malformed(what, "no schema text in " + answer);
    }
    try {
      return new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw malformed(what, "the registry's schema does not parse: " + e.getMessage());
    }
  }

  private ObjectNode schemaBody(Schema schema) {
    return json.createObjectNode().put("schema", schema.toString());
  }

  private ObjectNode levelBody(CompatibilityLevel level) {
    return json.createObjectNode().put("compatibility", level.name());
  }

  private static CompatibilityLevel level(JsonNode answer, String field, String what) {
    try {
      return CompatibilityLevel.forName(answer.path(field).asText(null));
    } catch (IllegalArgumentException e) {
      throw malformed(what, "no valid " + field + " in " + answer + ": " + e.getMessage());
    }
  }

  private static String subjectPath(String subject) {
    Objects.requireNonNull(subject, "subject");
    return "/subjects/" + UrlPaths.encodeSegment(subject);
  }

  private static String normalizeQuery(boolean normalize) {
    return normalize ? "?normalize=true" : "";
  }

  private static int requiredInt(JsonNode answer, String field, String what) {
    JsonNode value = answer.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw malformed(what, "no integer " + field + " in " + answer);
    }
    return value.asInt();
  }

  private static JsonNode requiredArray(JsonNode answer, String what) {
    if (!answer.isArray()) {
      throw malformed(what, "expected a JSON array, got " + answer);
    }
    return answer;
  }

  private static List<Integer> intList(JsonNode answer, String what) {
    List<Integer> values = new ArrayList<>();
    for (JsonNode value : requiredArray(answer, what)) {
      if (!value.canConvertToInt()) {
        throw malformed(what, "expected integers, got " + answer);
      }
      values.add(value.asInt());
    }
    return values;
  }

  private static SchemaRegistryException malformed(String what, String problem) {
    return new SchemaRegistryException(200, 200, "unexpected answer: " + problem, what, null);
  }

  private static URI parseBaseUrl(String url) {
    String trimmed = url.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = new URI(trimmed);
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException("schema registry URL '" + url + "' is not an http or https URL with a"
            + " host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("schema registry URL '" + url + "' is malformed: " + e.getMessage(), e);
    }
  }

  private static URI withoutUserInfo(URI uri) {
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath().isEmpty() ? null
          : uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("schema registry URL " + uri + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Builds a {@link RestSchemaRegistryClient}. Only the URLs are required. */
  public static final class Builder {
    private final List<String> urls = new ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String userInfo;
    private String bearerToken;
    private RetryPolicy retries = new RetryPolicy(SchemaRegistryClientConfig.MAX_RETRIES_DEFAULT,
        SchemaRegistryClientConfig.RETRIES_WAIT_MS_DEFAULT, SchemaRegistryClientConfig.RETRIES_MAX_WAIT_MS_DEFAULT);
    private int cacheCapacity = SchemaRegistryClientConfig.CACHE_CAPACITY_DEFAULT;
    private Duration latestTtl = Duration.ofSeconds(SchemaRegistryClientConfig.LATEST_CACHE_TTL_SEC_DEFAULT);
    private Duration connectTimeout = Duration.ofMillis(SchemaRegistryClientConfig.CONNECT_TIMEOUT_MS_DEFAULT);
    private Duration requestTimeout = Duration.ofMillis(SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS_DEFAULT);
    private int maxResponseBytes = SchemaRegistryClientConfig.MAX_RESPONSE_BYTES_DEFAULT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** One base URL, e.g. {@code http://127.0.0.1:8081}; may carry user info for basic authentication. */
    public Builder baseUrl(String url) {
      urls.add(url);
      return this;
    }

    /** Base URLs tried in turn when one does not answer. */
    public Builder baseUrls(List<String> baseUrls) {
      urls.addAll(baseUrls);
      return this;
    }

    /** HTTP basic authentication. */
    public Builder basicAuth(String user, String password) {
      return basicAuthUserInfo(user + ":" + password);
    }

    /** HTTP basic authentication from {@code user:password}. */
    public Builder basicAuthUserInfo(String userInfo) {
      if (userInfo.indexOf(':') < 0) {
        throw new IllegalArgumentException("basic authentication user info must be user:password");
      }
      this.userInfo = userInfo;
      return this;
    }

    /** A static bearer token. */
    public Builder bearerToken(String token) {
      this.bearerToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** A header sent with every request. */
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** Retries after the first attempt of a request. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("max retries must not be negative: " + maxRetries);
      }
      retries = new RetryPolicy(maxRetries, retries.initialBackoffMillis(), retries.maxBackoffMillis());
      return this;
    }

    /** The wait before the first retry (doubled for each further one) and the longest wait. */
    public Builder retryBackoff(Duration initial, Duration max) {
      retries = new RetryPolicy(retries.maxRetries(), initial.toMillis(), max.toMillis());
      return this;
    }

    /** The entries each cache keeps. */
    public Builder cacheCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("cache capacity must be positive: " + capacity);
      }
      this.cacheCapacity = capacity;
      return this;
    }

    /** How long the latest version of a subject is cached; zero disables it, null keeps it until evicted. */
    public Builder latestTtl(Duration ttl) {
      this.latestTtl = ttl;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** The longest wait for one answer. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** The largest answer read; a larger one fails the call. */
    public Builder maxResponseBytes(int maxBytes) {
      this.maxResponseBytes = maxBytes;
      return this;
    }

    /** The clock of the latest-version cache's expiry; tests pass one they control. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * @throws IllegalArgumentException for a malformed URL, a forbidden header, or both basic and bearer
     *     authentication
     */
    public RestSchemaRegistryClient build() {
      return new RestSchemaRegistryClient(this);
    }
  }
}
