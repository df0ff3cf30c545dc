package dev.weft.broker.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> send(URI uri, String method) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthFollowsTheServiceAndMetricsAreInPrometheusFormat() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean(false);
    try (WeftMetrics metrics = new WeftMetrics("worker", "w-1");
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, false, healthy::get, metrics, "test")) {
      assertTrue(endpoint.address().toString().startsWith("http://127.0.0.1:"), endpoint.address().toString());
      assertEquals(503, send(endpoint.address().resolve("/health"), "GET").statusCode());
      healthy.set(true);
      assertEquals(200, send(endpoint.address().resolve("/health"), "GET").statusCode());

      metrics.registry().counter("weft.tasks.completed", "pool", "default").increment(3);
      HttpResponse<String> scraped = send(endpoint.address().resolve("/metrics"), "GET");
      assertEquals(200, scraped.statusCode());
      assertTrue(scraped.body().contains(
          "weft_tasks_completed_total{instance=\"w-1\",pool=\"default\",role=\"worker\"} 3.0"), scraped.body());
      assertTrue(scraped.body().contains("jvm_memory_used_bytes"), "the JVM's meters are bound");

      HttpResponse<String> post = send(endpoint.address().resolve("/health"), "POST");
      assertEquals(405, post.statusCode());
      assertEquals(404, send(endpoint.address().resolve("/nothing-here"), "GET").statusCode());
    }
  }

  @Test
  void aTakenPortIsReplacedOnlyWhenAskedFor() throws Exception {
    try (WeftMetrics metrics = new WeftMetrics("scheduler", "s");
        HttpEndpoint first = HttpEndpoint.start("127.0.0.1", 0, false, () -> true, metrics, "first")) {
      int taken = first.address().getPort();
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> HttpEndpoint.start("127.0.0.1", taken, false, () -> true, metrics, "second"));
      assertTrue(refused.getMessage().contains("127.0.0.1:" + taken) && refused.getMessage().contains(
          "weft.http.port"), refused.getMessage());
      try (HttpEndpoint second = HttpEndpoint.start("127.0.0.1", taken, true, () -> true, metrics, "second")) {
        assertNotEquals(taken, second.address().getPort());
        assertEquals(200, send(second.address().resolve("/health"), "GET").statusCode());
      }
    }
  }
}
