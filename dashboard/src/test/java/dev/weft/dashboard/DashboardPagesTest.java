package dev.weft.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.broker.SchedulerService;
import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard as a scheduler service serves it (found on the classpath, as every scheduler the CLI starts finds it),
 * over HTTP against the real broker and a worker: the page and its files with their headers, nothing else from the
 * jar, the state pushed live as server-sent events while a graph runs, a graph's tasks by state, and the bound on open
 * pages.
 */
@WithKafka
@Timeout(180)
class DashboardPagesTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(URI base, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theSchedulerServesThePageItsFilesAndNothingElse(TestKafka kafka) throws Exception {
    try (LiveCluster cluster = new LiveCluster(kafka, Map.of())) {
      URI base = cluster.scheduler().httpAddress();
      assertEquals(List.of(), viewThreads(), "no view reads Kafka before a page asks");
      HttpResponse<String> page = get(base, "/");
      assertEquals(200, page.statusCode());
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(page.body().contains("<section id=\"task-stream\""), page.body());
      String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"), csp);
      HttpResponse<String> script = get(base, "/static/dashboard.js");
      assertEquals(200, script.statusCode());
      assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElseThrow());
      assertEquals(200, get(base, "/static/dashboard.css").statusCode());
      for (String elsewhere : List.of("/static/../../pom.xml", "/static/%2e%2e/DashboardPages.class",
          "/static/META-INF/MANIFEST.MF", "/nothing", "/static/")) {
        assertEquals(404, get(base, elsewhere).statusCode(), elsewhere);
      }
      assertEquals(200, get(base, "/health").statusCode(), "the endpoint's own pages are still there");
      assertEquals(List.of(), viewThreads(), "the page and its files are served from the jar");
      HttpResponse<String> state = get(base, "/api/state");
      assertEquals(200, state.statusCode());
      assertEquals(List.of("weft-dashboard-scheduler-1-groups", "weft-dashboard-scheduler-1-topics"), viewThreads(),
          "the state started the view");
      assertEquals("application/json", state.headers().firstValue("Content-Type").orElseThrow());
      JsonNode[] json = {ClusterView.json().readTree(state.body())};
      LiveCluster.await("the scheduler in the state's schedulers", Duration.ofSeconds(30), () -> {
        try {
          json[0] = ClusterView.json().readTree(get(base, "/api/state").body());
          return !json[0].path("schedulers").isEmpty();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      assertEquals(List.of("scheduler-1"), names(json[0].path("schedulers")));
      assertEquals(4, json[0].path("schedulers").get(0).path("partitions").size(), "it owns the 4 graph partitions");
    }
  }

  /**
   * While a graph runs, the state arrives pushed, again and again, with the graph's progress by function; then its
   * tasks read by state say where each result is.
   */
  @Test
  void theStateIsPushedWhileAGraphRunsAndItsTasksSayWhereEachResultIs(TestKafka kafka) throws Exception {
    try (LiveCluster cluster = new LiveCluster(kafka, Map.of(DashboardConfig.PUSH_INTERVAL_MS, "200",
        DashboardConfig.MAX_PAGES, "2"))) {
      SchedulerService scheduler = cluster.scheduler();
      cluster.worker("worker-1", 2);
      URI base = scheduler.httpAddress();
      GraphBuilder builder = Graph.builder();
      List<Object> refs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        builder.task("s-" + i, "sleep", 50L, (long) i);
        refs.add(Arg.ref("s-" + i));
      }
      builder.task("total", "sum", refs);
      WeftClient client = cluster.client();

      HttpRequest events = HttpRequest.newBuilder(base.resolve("/api/events")).GET().build();
      HttpResponse<InputStream> stream = http.send(events, HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, stream.statusCode());
      assertEquals("text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").orElseThrow());
      GraphFuture graph = client.submit(builder.build());
      List<Integer> doneSeen = new ArrayList<>();
      JsonNode finished = null;
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        // Two pages listen (weft.dashboard.max.pages); a third is refused, and let in once one leaves.
        HttpResponse<InputStream> second = http.send(events, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, second.statusCode());
        HttpResponse<String> third = http.send(events, HttpResponse.BodyHandlers.ofString());
        assertEquals(503, third.statusCode());
        assertEquals("too many dashboards are open (weft.dashboard.max.pages)\n", third.body());
        second.body().close();
        // The closed page's stream releases its permit at its next write that fails (a push, every 200 ms).
        LiveCluster.await("a page let in once one left", Duration.ofSeconds(30), () -> {
          try {
            HttpResponse<InputStream> again = http.send(events, HttpResponse.BodyHandlers.ofInputStream());
            again.body().close();
            return again.statusCode() == 200;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        String line;
        while (finished == null && (line = lines.readLine()) != null) {
          if (!line.startsWith("data: ")) {
            continue;
          }
          JsonNode state = ClusterView.json().readTree(line.substring("data: ".length()));
          for (JsonNode g : state.path("graphs")) {
            if (g.path("id").asText().equals(graph.graphId())) {
              if (doneSeen.isEmpty() || doneSeen.get(doneSeen.size() - 1) != g.path("done").asInt()) {
                doneSeen.add(g.path("done").asInt());
              }
              if (g.path("state").asText().equals("completed")) {
                finished = g;
              }
            }
          }
        }
      }
      assertTrue(finished != null, "the stream ended before the graph did");
      assertTrue(doneSeen.size() >= 3, "the graph's progress was pushed as it advanced: " + doneSeen);
      assertEquals(31, finished.path("total").asInt());
      JsonNode sleep = finished.path("functions").get(0);
      assertEquals("sleep", sleep.path("function").asText());
      assertEquals(30, sleep.path("done").asInt());
      assertEquals(30, sleep.path("total").asInt());
      assertEquals(435L, ((Number) graph.get().get("total")).longValue());

      HttpResponse<String> tasks = get(base, "/api/graphs/" + URLEncoder.encode(graph.graphId(),
          StandardCharsets.UTF_8) + "?max=5");
      assertEquals(200, tasks.statusCode(), tasks.body());
      JsonNode read = ClusterView.json().readTree(tasks.body());
      assertEquals(31, read.path("counts").path("done").asInt(), tasks.body());
      assertEquals(5, read.path("done").size(), "five listed, as asked");
      JsonNode first = read.path("done").get(0);
      assertEquals("worker-1", first.path("worker").asText());
      assertTrue(first.path("offset").asLong() >= 0 && first.path("partition").asInt() >= 0, first.toString());
      Object value = client.read(new dev.weft.broker.protocol.ResultRef(first.path("partition").asInt(),
          first.path("offset").asLong()));
      assertEquals(first.path("key").asText().equals("total") ? 435L : Long.parseLong(first.path("key").asText()
          .substring(2)), ((Number) value).longValue(), "the location holds that task's result");
      assertEquals(404, get(base, "/api/graphs/no-such-graph").statusCode());
    }
  }

  /** The threads of this JVM's dashboard views (the scheduler's), by name. */
  private static List<String> viewThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.startsWith("weft-dashboard-scheduler")).sorted().toList();
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(node -> names.add(node.path("name").asText()));
    return names;
  }
}
