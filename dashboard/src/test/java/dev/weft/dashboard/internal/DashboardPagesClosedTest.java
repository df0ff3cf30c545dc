package dev.weft.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.broker.telemetry.HttpEndpoint;
import dev.weft.broker.telemetry.WeftMetrics;
import dev.weft.dashboard.ClusterView;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The pages once closed: a request then (the scheduler stops) starts no view that nobody would close. */
class DashboardPagesClosedTest {

  @Test
  void onceClosedTheApiIsAnswered503AndNoViewStarts() throws Exception {
    AtomicInteger started = new AtomicInteger();
    Supplier<ClusterView> views = () -> {
      started.incrementAndGet();
      throw new IllegalStateException("no view may start once the pages are closed");
    };
    HttpClient http = HttpClient.newHttpClient();
    try (WeftMetrics metrics = new WeftMetrics("scheduler", "s");
        HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, false, () -> true, metrics, "test")) {
      DashboardPages pages = new DashboardPages(views, 100, 2);
      pages.register(endpoint);
      pages.close();
      for (String path : new String[] {"/api/state", "/api/graphs/g-1"}) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.address().resolve(path)).GET()
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, response.statusCode(), path + ": " + response.body());
        assertEquals("the dashboard is stopping\n", response.body());
      }
      assertEquals(200, http.send(HttpRequest.newBuilder(endpoint.address().resolve("/")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode(), "the page itself is a file of the jar");
    }
    assertEquals(0, started.get(), "no view was started");
  }
}
