package dev.weft.broker.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

  /** The status line of a GET of {@code path} with this Host header (none when null), over a raw socket. */
  private static String statusLine(URI address, String path, String host) throws Exception {
    try (Socket socket = new Socket(address.getHost(), address.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  /**
   * DNS rebinding: a web page whose name is rebound to 127.0.0.1 sends its own name as Host. Bound to a loopback
   * address, the endpoint answers such a request 403, on every path; the loopback's names, with any port, are answered.
   * Bound to every interface, any Host is answered.
   */
  @Test
  void boundToLoopbackItAnswersOnlyRequestsForTheLoopbacksNames() throws Exception {
    try (WeftMetrics metrics = new WeftMetrics("scheduler", "s");
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, false, () -> true, metrics, "test")) {
      endpoint.handle("/api/state", exchange -> HttpEndpoint.respond(exchange, 200, "application/json", "{}"));
      URI address = endpoint.address();
      int port = address.getPort();
      for (String forged : new String[] {"evil.example", "evil.example:" + port, "127.0.0.1.evil.example",
          "localhost.evil.example:" + port, "10.0.0.1", "[::2]:" + port, "localhost:80x"}) {
        for (String path : new String[] {"/health", "/metrics", "/api/state"}) {
          assertEquals("HTTP/1.1 403 Forbidden", statusLine(address, path, forged), forged + " " + path);
        }
      }
      for (String loopback : new String[] {"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port,
          "[::1]", "127.0.0.1"}) {
        assertEquals("HTTP/1.1 200 OK", statusLine(address, "/health", loopback), loopback);
        assertEquals("HTTP/1.1 200 OK", statusLine(address, "/api/state", loopback), loopback);
      }
      assertEquals(200, send(address.resolve("/health"), "GET").statusCode(), "as HttpClient sends it");
    }
    try (WeftMetrics metrics = new WeftMetrics("scheduler", "s");
        HttpEndpoint endpoint = HttpEndpoint.start("0.0.0.0", 0, false, () -> true, metrics, "test")) {
      URI local = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/");
      assertEquals("HTTP/1.1 200 OK", statusLine(local, "/health", "weft.example.com"),
          "bound to every interface: the operator chose to expose it");
    }
  }
}
