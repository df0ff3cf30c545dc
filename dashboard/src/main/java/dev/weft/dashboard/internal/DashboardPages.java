package dev.weft.dashboard.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.weft.broker.telemetry.HttpEndpoint;
import dev.weft.dashboard.ClusterView;
import dev.weft.dashboard.GraphTasks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's pages on a scheduler's HTTP endpoint: {@code /} (the page), {@code /static/...} (its script and
 * style, from this jar: no CDN, no build step), {@code /api/state} (the view as JSON), {@code /api/events} (the same,
 * pushed as server-sent events every push interval while the page is open) and {@code /api/graphs/{id}} (a graph's
 * tasks by state).
 *
 * <p>The state is made once per push for every open page, by one thread that sleeps while no page is open; each page
 * holds one of the endpoint's threads and one of {@code maxPages} permits, beyond which a page is answered 503.
 *
 * <p>The {@link ClusterView} behind the pages starts when they are first asked for and stops after {@link #IDLE_MS}
 * without a page open or a request: a scheduler whose dashboard nobody looks at reads nothing for it (the view reads
 * every graph submitted, and asks Kafka's admin API every few seconds).
 */
public final class DashboardPages implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardPages.class);
  /** Files the page is made of, by name, with their types: nothing else is served from the jar. */
  private static final Map<String, String> ASSETS = Map.of(
      "index.html", "text/html; charset=utf-8",
      "dashboard.js", "text/javascript; charset=utf-8",
      "dashboard.css", "text/css; charset=utf-8");
  /** The page's own script and style only; data from records is set as text, never as markup. */
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final long KEEP_ALIVE_MS = 15_000;
  private static final int DEFAULT_TASKS_PER_STATE = 200;
  private static final int MAX_TASKS_PER_STATE = 5_000;
  /**
   * Asks for a graph's tasks at once, at most: the view reads one graph at a time, up to ten seconds, so more would
   * only hold the endpoint's threads waiting; one more is answered 503, and the page asks again two seconds later.
   */
  static final int MAX_GRAPH_READS = 2;

  /** How long the view runs with no page open and no request. */
  static final long IDLE_MS = 5 * 60_000;

  private final Supplier<ClusterView> views;
  private final Object viewLock = new Object();
  private ClusterView view; // guarded by viewLock
  private long lastUse; // guarded by viewLock
  private boolean viewsClosed; // guarded by viewLock: once closed, no view starts again
  private final long pushIntervalMs;
  private final Semaphore pages;
  private final Semaphore graphReads = new Semaphore(MAX_GRAPH_READS);
  private final Map<String, byte[]> assets;
  private final Thread pusher;
  private int listeners; // guarded by this
  private long sequence; // guarded by this
  private byte[] latest; // guarded by this
  private boolean closed; // guarded by this

  /** @param views starts a view of the cluster, when the pages are first asked for */
  public DashboardPages(Supplier<ClusterView> views, long pushIntervalMs, int maxPages) {
    this.views = views;
    this.pushIntervalMs = pushIntervalMs;
    this.pages = new Semaphore(maxPages);
    this.assets = new java.util.HashMap<>();
    ASSETS.keySet().forEach(name -> assets.put(name, asset(name)));
    this.pusher = new Thread(this::push, "weft-dashboard-push");
    pusher.setDaemon(true);
    pusher.start();
  }

  private static byte[] asset(String name) {
    try (InputStream in = DashboardPages.class.getResourceAsStream("/dev/weft/dashboard/static/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + name + " is missing from its jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the pages to {@code http}. */
  public void register(HttpEndpoint http) {
    http.handle("/", this::page);
    http.handle("/static/", this::staticFile);
    http.handle("/api/state", exchange -> {
      ClusterView view = view();
      if (view == null) {
        stopping(exchange);
        return;
      }
      json(exchange, 200, ClusterView.json().writeValueAsBytes(view.state()));
    });
    http.handle("/api/events", this::events);
    http.handle("/api/graphs/", this::graph);
  }

  private void page(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals("/") && !path.equals("/index.html")) {
      text(exchange, 404, "no page " + path + " here\n");
      return;
    }
    send(exchange, "index.html");
  }

  private void staticFile(HttpExchange exchange) throws IOException {
    String name = exchange.getRequestURI().getPath().substring("/static/".length());
    if (!ASSETS.containsKey(name)) {
      text(exchange, 404, "no file " + name + " here\n");
      return;
    }
    send(exchange, name);
  }

  private void send(HttpExchange exchange, String name) throws IOException {
    secure(exchange);
    HttpEndpoint.respond(exchange, 200, ASSETS.get(name), assets.get(name));
  }

  private void graph(HttpExchange exchange) throws IOException {
    String id = exchange.getRequestURI().getPath().substring("/api/graphs/".length());
    int max = DEFAULT_TASKS_PER_STATE;
    String query = exchange.getRequestURI().getQuery();
    if (query != null && query.startsWith("max=")) {
      try {
        max = Math.max(1, Math.min(MAX_TASKS_PER_STATE, Integer.parseInt(query.substring("max=".length()))));
      } catch (NumberFormatException e) {
        text(exchange, 400, "max must be a number\n");
        return;
      }
    }
    ClusterView view = view();
    if (view == null) {
      stopping(exchange);
      return;
    }
    if (!graphReads.tryAcquire()) {
      json(exchange, 503, ClusterView.json().writeValueAsBytes(Map.of("error",
          "busy: the tasks of other graphs are being read; try again")));
      return;
    }
    Optional<GraphTasks> tasks;
    try {
      tasks = view.graphTasks(id, max);
    } finally {
      graphReads.release();
    }
    if (tasks.isEmpty()) {
      json(exchange, 404, ClusterView.json().writeValueAsBytes(Map.of("error",
          "the dashboard does not know graph '" + id + "'")));
      return;
    }
    json(exchange, 200, ClusterView.json().writeValueAsBytes(tasks.get()));
  }

  /** Server-sent events: the state at every push, until the page goes away or the dashboard stops. */
  private void events(HttpExchange exchange) throws IOException {
    if (exchange.getRequestMethod().equals("HEAD")) {
      HttpEndpoint.respond(exchange, 200, "text/event-stream", new byte[0]);
      return;
    }
    if (!pages.tryAcquire()) {
      text(exchange, 503, "too many dashboards are open (weft.dashboard.max.pages)\n");
      return;
    }
    synchronized (this) {
      listeners++;
      notifyAll();
    }
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      long seen = -1;
      while (true) {
        byte[] state;
        long number;
        synchronized (this) {
          long deadline = System.currentTimeMillis() + KEEP_ALIVE_MS;
          while (!closed && sequence == seen && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
          }
          if (closed) {
            return;
          }
          state = latest;
          number = sequence;
        }
        if (number == seen || state == null) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        } else {
          out.write("data: ".getBytes(StandardCharsets.UTF_8)); // JSON has no line breaks: one data line
          out.write(state);
          out.write("\n\n".getBytes(StandardCharsets.UTF_8));
          seen = number;
        }
        out.flush(); // a page that went away fails here
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the endpoint stops
    } finally {
      synchronized (this) {
        listeners--;
      }
      pages.release();
    }
  }

  /**
   * The view, started if it is not running; counts as a use. Null once the pages are closed: a request that comes
   * while the scheduler stops must not start a view nobody would close.
   */
  private ClusterView view() {
    synchronized (viewLock) {
      if (viewsClosed) {
        return null;
      }
      if (view == null) {
        view = views.get();
      }
      lastUse = System.nanoTime();
      return view;
    }
  }

  /** Stops the view if it has not been used for {@link #IDLE_MS}, or at once when {@code now} is true. */
  private void stopView(boolean now) {
    synchronized (viewLock) {
      if (view != null && (now || System.nanoTime() - lastUse > IDLE_MS * 1_000_000)) {
        view.close();
        view = null;
      }
    }
  }

  /**
   * Makes the state once per push interval while a page listens; while none does, sleeps, and stops the view once it
   * has been idle long enough.
   */
  private void push() {
    while (true) {
      synchronized (this) {
        try {
          while (!closed && listeners == 0) {
            wait(IDLE_MS / 5);
            if (listeners == 0) {
              stopView(false);
            }
          }
          if (closed) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        ClusterView view = view();
        if (view == null) {
          return; // closed
        }
        byte[] state = ClusterView.json().writeValueAsBytes(view.state());
        synchronized (this) {
          latest = state;
          sequence++;
          notifyAll();
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("the dashboard could not make its state: {}", e.toString());
      }
      synchronized (this) {
        try {
          if (!closed) {
            wait(pushIntervalMs);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static void secure(HttpExchange exchange) {
    exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
  }

  private static void stopping(HttpExchange exchange) throws IOException {
    text(exchange, 503, "the dashboard is stopping\n");
  }

  private static void json(HttpExchange exchange, int status, byte[] body) throws IOException {
    secure(exchange);
    HttpEndpoint.respond(exchange, status, "application/json", body);
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    secure(exchange);
    HttpEndpoint.respond(exchange, status, "text/plain; charset=utf-8", body);
  }

  /** Ends the open streams and the pusher, and stops the view; requests after are answered 503. */
  @Override
  public void close() {
    synchronized (viewLock) {
      viewsClosed = true; // a request in flight that started a view has it closed below
    }
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      pusher.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopView(true);
  }
}
