package dev.weft.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's WebSocket client and Jackson: a
 * page to navigate, JavaScript to evaluate (its value returned), screenshots. Chromium says where its DevTools listen
 * on stderr ({@code DevTools listening on ws://...}); the page's own socket is found through {@code /json/list}.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final List<String> output = new ArrayList<>();
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private WebSocket socket;

  private HeadlessChromium(Process process, Path profile) {
    this.process = process;
    this.profile = profile;
  }

  /** Starts Chromium with an empty profile, a window of {@code width} x {@code height}, and connects to its page. */
  static HeadlessChromium start(int width, int height) throws Exception {
    Path profile = Files.createTempDirectory("weft-chromium-");
    Process process = new ProcessBuilder("chromium", "--headless=new", "--remote-debugging-port=0", "--no-sandbox",
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--hide-scrollbars",
        "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    HeadlessChromium chromium = new HeadlessChromium(process, profile);
    try {
      chromium.connect();
    } catch (Exception | Error e) {
      chromium.close();
      throw e;
    }
    return chromium;
  }

  private void connect() throws Exception {
    CompletableFuture<URI> browser = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = err.readLine()) != null) { // read to the end, so that Chromium never blocks on a full pipe
          synchronized (output) {
            output.add(line);
          }
          Matcher listening = LISTENING.matcher(line);
          if (listening.find()) {
            browser.complete(URI.create(listening.group(1)));
          }
        }
      } catch (IOException e) {
        browser.completeExceptionally(e);
      }
      browser.completeExceptionally(new IllegalStateException("Chromium ended before its DevTools listened: "
          + output()));
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    URI devtools = browser.get(60, TimeUnit.SECONDS);
    HttpClient http = HttpClient.newHttpClient();
    URI list = URI.create("http://" + devtools.getHost() + ":" + devtools.getPort() + "/json/list");
    String page = null;
    for (JsonNode target : JSON.readTree(http.send(HttpRequest.newBuilder(list).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body())) {
      if (target.path("type").asText().equals("page")) {
        page = target.path("webSocketDebuggerUrl").asText();
      }
    }
    if (page == null) {
      throw new IllegalStateException("Chromium has no page to drive: " + list);
    }
    socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new Listener()).get(30, TimeUnit.SECONDS);
    call("Page.enable", JSON.createObjectNode());
    call("Runtime.enable", JSON.createObjectNode());
  }

  /** Answers to calls, matched by id; events are passed over. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder message = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        try {
          JsonNode answer = JSON.readTree(message.toString());
          if (answer.has("id")) {
            CompletableFuture<JsonNode> call = calls.remove(answer.get("id").asInt());
            if (call != null) {
              if (answer.has("error")) {
                call.completeExceptionally(new IllegalStateException("DevTools: " + answer.get("error")));
              } else {
                call.complete(answer.path("result"));
              }
            }
          }
        } catch (IOException e) {
          calls.values().forEach(call -> call.completeExceptionally(e));
        }
        message.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }

  /** Calls a DevTools method and returns its result. */
  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    calls.put(id, answer);
    ObjectNode request = JSON.createObjectNode().put("id", id).put("method", method);
    request.set("params", params);
    socket.sendText(JSON.writeValueAsString(request), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    return answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Opens {@code url} in the page and waits until its document is loaded. */
  void navigate(URI url) throws Exception {
    call("Page.navigate", JSON.createObjectNode().put("url", url.toString()));
    LiveCluster.await("the page " + url + " loaded", Duration.ofSeconds(30),
        () -> "complete".equals(evaluateQuietly("document.readyState")));
  }

  /** The value of a JavaScript expression in the page (returned by value: JSON-like values only). */
  JsonNode evaluate(String expression) throws Exception {
    JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("returnByValue", true).put("awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("the page threw on " + expression + ": " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** {@link #evaluate} as text, for conditions; null when the page cannot say now. */
  String evaluateQuietly(String expression) {
    try {
      JsonNode value = evaluate(expression);
      return value.isMissingNode() || value.isNull() ? null : value.asText();
    } catch (Exception e) {
      return null;
    }
  }

  /** Saves the whole page (not only the window) as a PNG. */
  void screenshot(Path file) throws Exception {
    JsonNode metrics = call("Page.getLayoutMetrics", JSON.createObjectNode());
    JsonNode size = metrics.path("cssContentSize");
    ObjectNode clip = JSON.createObjectNode().put("x", 0).put("y", 0).put("scale", 1)
        .put("width", size.path("width").asDouble()).put("height", size.path("height").asDouble());
    ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    params.set("clip", clip);
    JsonNode shot = call("Page.captureScreenshot", params);
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
  }

  /** What Chromium wrote on stderr, for a failure's message. */
  String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    List<ProcessHandle> helpers = process.descendants().toList(); // its renderers: asked before it ends
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    helpers.forEach(ProcessHandle::destroyForcibly);
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind
    }
  }
}
