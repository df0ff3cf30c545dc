package dev.weft.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.broker.SchedulerService;
import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.kafka.junit.AptInstall;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.worker.WorkerGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in headless Chromium (Debian's package, installed when missing), against the real broker, a scheduler
 * service and two worker JVMs, while a graph of sleeping tasks runs: without reloading, the page shows the graph's
 * progress advancing, the task stream gaining bars, a click showing the graph's tasks by state, and, once a worker is
 * killed, that worker marked silent and then leaving the workers table, by the view's rule (silent once its last report
 * is over weft.dashboard.worker.silent.ms old, left out once it is over weft.dashboard.worker.gone.ms). Names that come
 * from records and hold markup stay text. Screenshots are kept under target/dashboard-screenshots
 * ({@code -Dweft.readme.screenshot=true} also copies the running page's to the README's docs/dashboard.png).
 */
@WithKafka
@Timeout(600)
class DashboardBrowserTest {
  private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
  /**
   * The README's screenshot, in the repository: replaced by the running page's only when asked
   * ({@code -Dweft.readme.screenshot=true}), so that a build leaves the sources as they were.
   */
  private static final Path README_SCREENSHOT = Path.of("..", "docs", "dashboard.png");
  private static final boolean REFRESH_README_SCREENSHOT = Boolean.getBoolean("weft.readme.screenshot");
  private static final String MARKUP_KEY = "<b id=\"injected\">boom</b>";
  private static final String MARKUP_GRAPH = "<img src=x onerror=\"window.injected=1\">";
  private static final long SILENT_MS = 1_500;
  private static final long GONE_MS = 5_000;

  @BeforeAll
  static void installChromium() throws Exception {
    if (!AptInstall.SKIP) {
      AptInstall.ensure("Chromium", "chromium --version", "chromium");
    }
  }

  @Test
  void thePageFollowsAGraphTheTaskStreamAndAWorkerKilled(TestKafka kafka) throws Exception {
    Assumptions.assumeFalse(AptInstall.SKIP, "skipped on request (-Dweft.interop.skip=true): the dashboard's "
        + "browser test needs Debian's chromium");
    try (LiveCluster cluster = new LiveCluster(kafka, Map.of(DashboardConfig.SILENT_AFTER_MS, "" + SILENT_MS,
        DashboardConfig.GONE_AFTER_MS, "" + GONE_MS, DashboardConfig.PUSH_INTERVAL_MS, "300"))) {
      SchedulerService scheduler = cluster.scheduler();
      cluster.workerProcess("worker-1", 2);
      Process doomed = cluster.workerProcess("worker-2", 2);
      try (Admin admin = Admin.create(kafka.clientProperties())) {
        WorkerGroup.awaitActive(admin, new WeftKafkaConfig(cluster.config()).topics(), null, 2,
            Duration.ofSeconds(90));
      }
      WeftClient client = cluster.client();
      history(cluster, client);

      try (HeadlessChromium chromium = HeadlessChromium.start(1440, 1100)) {
        chromium.navigate(scheduler.httpAddress());
        chromium.evaluate("window.firstLoad = true");
        String firstLoad = "window.firstLoad === true";
        // The page is up and follows the cluster before the graph is submitted: the checks below need it running,
        // and Chromium's start must not eat into its run.
        LiveCluster.await("the page showing both workers", Duration.ofSeconds(60), () -> "2".equals(
            chromium.evaluateQuietly("document.querySelectorAll('#workers tr.worker').length")));

        GraphBuilder builder = Graph.builder().id("squares");
        List<Object> refs = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
          builder.task("sleep-" + i, "sleep", 100L + (i * 37L) % 200, (long) i);
          refs.add(Arg.ref("sleep-" + i));
        }
        builder.task("total", "sum", refs);
        GraphFuture graph = client.submit(builder.build());
        String card = "document.querySelector('#graphs .graph[data-graph-id=' + CSS.escape("
            + ClusterView.json().writeValueAsString(graph.graphId()) + ") + ']')";

        // The graph's progress advances, twice at least, on the same page.
        List<Integer> done = new ArrayList<>();
        LiveCluster.await("the graph's progress advancing twice on the page; seen " + done, Duration.ofSeconds(60),
            () -> {
              String value = chromium.evaluateQuietly("(" + card + ")?.getAttribute('data-done')");
              if (value != null && (done.isEmpty() || Integer.parseInt(value) > done.get(done.size() - 1))) {
                done.add(Integer.parseInt(value));
              }
              return done.size() >= 3;
            });
        assertEquals("true", chromium.evaluateQuietly(firstLoad), "the page was not loaded again");
        JsonNode sleepBar = chromium.evaluate("(() => { const bar = " + card
            + ".querySelector('.progress[data-function=\"sleep\"]'); return {total: bar.getAttribute('data-total'),"
            + " done: bar.getAttribute('data-done'), name: bar.querySelector('.name').textContent}; })()");
        assertEquals("240", sleepBar.path("total").asText(), "a bar for the 240 sleeps: " + sleepBar);
        assertEquals("sleep", sleepBar.path("name").asText());
        chromium.screenshot(SCREENSHOTS.resolve("progress.png"));

        // The task stream gains bars.
        String rects = "document.querySelectorAll('#task-stream rect.task').length";
        LiveCluster.await("bars on the task stream", Duration.ofSeconds(30),
            () -> Integer.parseInt(chromium.evaluateQuietly(rects)) > 0);
        int first = Integer.parseInt(chromium.evaluateQuietly(rects));
        LiveCluster.await("more bars on the task stream than " + first, Duration.ofSeconds(30),
            () -> Integer.parseInt(chromium.evaluateQuietly(rects)) > first);
        JsonNode rows = chromium.evaluate("Array.from(document.querySelectorAll('#task-stream .stream-rows div'))"
            + ".map(row => row.textContent)");
        assertEquals("[\"worker-1 #1\",\"worker-1 #2\",\"worker-2 #1\",\"worker-2 #2\"]", rows.toString(),
            "a row per worker thread");

        // Both workers are in the table; a click shows the graph's tasks by state.
        String row = "document.querySelector('#workers tr.worker[data-worker=\"worker-2\"]')";
        LiveCluster.await("both workers in the table", Duration.ofSeconds(30), () -> "2".equals(
            chromium.evaluateQuietly("document.querySelectorAll('#workers tr.worker').length")));
        chromium.evaluate(card + ".click()");
        LiveCluster.await("the graph's tasks by state", Duration.ofSeconds(30), () -> "true".equals(
            chromium.evaluateQuietly("document.querySelectorAll('#graph-detail tr.task[data-state=\"done\"]').length"
                + " > 0 && document.querySelectorAll('#graph-detail tr.task[data-state=\"waiting\"]').length === 1")));
        assertEquals("total", chromium.evaluateQuietly(
            "document.querySelector('#graph-detail tr.task[data-state=\"waiting\"]').getAttribute('data-key')"),
            "total waits on the sleeps");
        chromium.screenshot(SCREENSHOTS.resolve("running.png"));
        if (REFRESH_README_SCREENSHOT) {
          Files.createDirectories(README_SCREENSHOT.getParent());
          Files.copy(SCREENSHOTS.resolve("running.png"), README_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        }

        // A worker killed: silent first, then out of the table; the other stays.
        doomed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        LiveCluster.await("worker-2 marked silent", Duration.ofSeconds(30),
            () -> "true".equals(chromium.evaluateQuietly("(" + row + ")?.getAttribute('data-silent')")));
        chromium.screenshot(SCREENSHOTS.resolve("worker-silent.png"));
        LiveCluster.await("worker-2 out of the workers table", Duration.ofSeconds(30),
            () -> "true".equals(chromium.evaluateQuietly(row + " === null")));
        assertEquals("worker-1", chromium.evaluateQuietly(
            "Array.from(document.querySelectorAll('#workers tr.worker')).map(r => r.getAttribute('data-worker'))"
                + ".join(',')"));
        assertEquals("true", chromium.evaluateQuietly(firstLoad), "the page was not loaded again");

        // The graph ends on the worker left, and the page says so.
        assertEquals(239L * 240 / 2, ((Number) graph.get(120, TimeUnit.SECONDS).get("total")).longValue());
        LiveCluster.await("the graph shown completed", Duration.ofSeconds(30),
            () -> "completed".equals(chromium.evaluateQuietly("(" + card + ")?.getAttribute('data-state')")));

        // What came from records with markup in it is shown as text.
        assertEquals("true", chromium.evaluateQuietly("document.getElementById('injected') === null"
            + " && window.injected === undefined && document.querySelectorAll('#graphs img').length === 0"));
        assertTrue(chromium.evaluateQuietly("document.getElementById('graphs').textContent").contains(MARKUP_KEY),
            "the key is shown as the text it is");
        chromium.screenshot(SCREENSHOTS.resolve("after-kill.png"));
      }
    }
  }

  /**
   * Something for the other lists: a graph that fails (its task's key holds markup), one rejected (its id holds
   * markup), and a record on the graphs topic that is no graph (a dead letter).
   */
  private static void history(LiveCluster cluster, WeftClient client) throws Exception {
    GraphFuture failing = client.submit(Graph.builder().id("divide").task("one", "inc", 0L)
        .task(MARKUP_KEY, "floordiv", Arg.ref("one"), 0L).build());
    assertThrows(ExecutionException.class, () -> failing.get(60, TimeUnit.SECONDS));
    GraphFuture rejected = client.submit(Graph.builder().id(MARKUP_GRAPH).task("x", "frobnicate", 1L).build());
    assertThrows(ExecutionException.class, () -> rejected.get(60, TimeUnit.SECONDS));
    GraphFuture small = client.submit(Graph.builder().id("warm-up").task("a", "inc", 1L).task("b", "inc",
        Arg.ref("a")).build());
    small.get(60, TimeUnit.SECONDS);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        new WeftKafkaConfig(cluster.config()).clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(new WeftKafkaConfig(cluster.config()).topics().graphs(), "not-a-graph",
          "this is no Avro".getBytes(StandardCharsets.UTF_8))).get();
    }
  }
}
