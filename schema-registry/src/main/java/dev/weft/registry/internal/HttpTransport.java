package dev.weft.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.weft.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends JSON requests to a schema registry: several base URLs (failing over from one that does not answer), retries
 * with exponential backoff on 408, 429, 5xx and no answer, fixed headers (authentication and extras), and a bound on
 * the size of an answer.
 */
public final class HttpTransport {
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
  private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);

  private final List<URI> baseUrls;
  private final Map<String, String> headers;
  private final RetryPolicy retries;
  private final Duration requestTimeout;
  private final int maxResponseBytes;
  private final HttpClient http;
  private final ObjectMapper json;
  /** The URL to try first: the one that answered last, so a dead URL costs one failed attempt, not one per call. */
  private final AtomicInteger preferred = new AtomicInteger();

  /**
   * @param maxRetries retries after the first attempt
   * @param initialBackoffMillis the wait before the first retry, doubled for each further one
   * @param maxBackoffMillis the longest wait, also the cap on a Retry-After header
   */
  public record RetryPolicy(int maxRetries, long initialBackoffMillis, long maxBackoffMillis) {}

  /**
   * @param baseUrls without user info, without a trailing slash
   * @param headers sent with every request, authentication included
   */
  public HttpTransport(List<URI> baseUrls, Map<String, String> headers, RetryPolicy retries, Duration connectTimeout,
      Duration requestTimeout, int maxResponseBytes, ObjectMapper json) {
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("no schema registry URL");
    }
    this.baseUrls = List.copyOf(baseUrls);
    this.headers = Map.copyOf(headers);
    this.retries = retries;
    this.requestTimeout = requestTimeout;
    this.maxResponseBytes = maxResponseBytes;
    this.json = json;
    // HTTP/1.1: registries serve it everywhere, and an h2c upgrade attempt only adds a round trip on plain http.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    HttpRequest.Builder probe = HttpRequest.newBuilder(this.baseUrls.get(0));
    this.headers.forEach(probe::header); // fails now, not on the first call, for a header the JDK client forbids
  }

  public List<URI> baseUrls() {
    return baseUrls;
  }

  /**
   * Sends a request and returns the JSON answer of a 2xx response ({@link NullNode} for an empty one).
   *
   * @param path the already-encoded path, starting with '/', with any query
   * @param body the JSON body, or null for none
   * @param what what the call does, for error messages ("registering a schema under subject 'x'")
   * @throws SchemaRegistryException for an error answer, or when every attempt failed
   */
  public JsonNode send(String method, String path, JsonNode body, String what) {
    byte[] bytes = body == null ? null : serialize(body);
    int attempts = Math.max(retries.maxRetries() + 1, baseUrls.size());
    int start = preferred.get();
    SchemaRegistryException last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      int index = (start + attempt) % baseUrls.size();
      URI uri = URI.create(baseUrls.get(index) + path);
      long retryAfterMillis = -1;
      try {
        HttpResponse<InputStream> response = http.send(request(method, uri, bytes),
            HttpResponse.BodyHandlers.ofInputStream());
        byte[] answer = readBounded(response, uri, what);
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          preferred.set(index);
          return parse(answer, status, uri, what);
        }
        SchemaRegistryException error = error(status, answer, method + " " + uri + " (" + what + ")");
        if (!retryable(status)) {
          preferred.set(index);
          throw error;
        }
        last = error;
        retryAfterMillis = retryAfterMillis(response);
      } catch (IOException e) {
        last = new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
            "no answer from " + uri + ": " + e, what, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
            "interrupted", what, e);
      }
      if (attempt + 1 < attempts) {
        log.debug("{} failed (attempt {} of {}), retrying: {}", what, attempt + 1, attempts, last.getMessage());
        backOff(attempt, retryAfterMillis, what);
      }
    }
    throw new SchemaRegistryException(last.status(), last.errorCode(), last.registryMessage(),
        what + " failed after " + attempts + " attempts against " + baseUrls, last.getCause());
  }

  private HttpRequest request(String method, URI uri, byte[] body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", ACCEPT);
    headers.forEach(builder::header);
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }
    return builder.build();
  }

  /** The answer's body; one over the limit is an error that no retry would fix. */
  private byte[] readBounded(HttpResponse<InputStream> response, URI uri, String what) throws IOException {
    try (InputStream in = response.body()) {
      byte[] answer = in.readNBytes(maxResponseBytes + 1);
      if (answer.length > maxResponseBytes) {
        throw new SchemaRegistryException(response.statusCode(), response.statusCode(), "the answer of " + uri
            + " is larger than the limit of " + maxResponseBytes + " bytes", what, null);
      }
      return answer;
    }
  }

  private JsonNode parse(byte[] answer, int status, URI uri, String what) {
    if (answer.length == 0) {
      return NullNode.getInstance();
    }
    try {
      return json.readTree(answer);
    } catch (IOException e) {
      throw new SchemaRegistryException(status, status, "the answer of " + uri + " is not JSON: " + snippet(answer),
          what, e);
    }
  }

  /** An error answer, with Confluent's {"error_code": ..., "message": ...} body when it has one. */
  private SchemaRegistryException error(int status, byte[] answer, String context) {
    try {
      JsonNode body = json.readTree(answer);
      if (body != null && body.isObject() && body.has("error_code")) {
        return new SchemaRegistryException(status, body.path("error_code").asInt(status),
            body.path("message").asText(""), context, null);
      }
    } catch (IOException e) {
      // not JSON: a proxy's or servlet container's own error page, reported as text below
    }
    return new SchemaRegistryException(status, status, snippet(answer), context, null);
  }

  private static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  private static long retryAfterMillis(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(value -> {
      try {
        return Long.parseLong(value.trim()) * 1000;
      } catch (NumberFormatException e) {
        return -1L; // an HTTP date: rare from registries, and the ordinary backoff is a fine substitute
      }
    }).orElse(-1L);
  }

  private void backOff(int attempt, long retryAfterMillis, String what) {
    long exponential = retries.initialBackoffMillis() << Math.min(attempt, 20);
    long capped = Math.min(retries.maxBackoffMillis(), exponential);
    // Jitter spreads the retries of many clients that failed together, so they do not return together.
    long wait = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    if (retryAfterMillis > 0) {
      wait = Math.min(retries.maxBackoffMillis(), Math.max(wait, retryAfterMillis));
    }
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
          "interrupted while waiting to retry", what, e);
    }
  }

  private byte[] serialize(JsonNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree: " + e.getMessage(), e);
    }
  }

  private static String snippet(byte[] answer) {
    String text = new String(answer, 0, Math.min(answer.length, 300), StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "(empty body)" : text + (answer.length > 300 ? "..." : "");
  }
}
