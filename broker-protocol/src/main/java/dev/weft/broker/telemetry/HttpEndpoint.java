package dev.weft.broker.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a scheduler or worker: {@code GET /health} (200 while the service is healthy, 503 otherwise: what
 * a container's health check and a Kubernetes probe ask) and {@code GET /metrics} (the Prometheus text format), on the
 * JDK's own HTTP server; extensions add their pages ({@link #handle}). It binds 127.0.0.1 unless configured otherwise.
 *
 * <p>Bound to a loopback address, it answers 403 to a request whose {@code Host} is not a name of this machine's
 * loopback ({@code localhost}, {@code 127.0.0.1}, {@code [::1]} or the address bound, with any port): a web page
 * whose name is rebound to 127.0.0.1 (DNS rebinding) reads nothing. Bound to another address, the operator chose to
 * expose it: any {@code Host} is answered.
 *
 * <p>Requests run on a small pool of daemon threads; a handler that streams (server-sent events) holds one of them
 * for as long as its client listens, so the pool grows with such clients and shrinks when they leave.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

  private final HttpServer server;
  private final ExecutorService threads;
  private final URI address;
  /** The Host names a request may give, without their port; null when any is answered (not a loopback bind). */
  private final Set<String> loopbackNames;

  private HttpEndpoint(HttpServer server, ExecutorService threads, String host) {
    this.server = server;
    this.threads = threads;
    String shown = host.contains(":") ? "[" + host + "]" : host;
    this.address = URI.create("http://" + shown + ":" + server.getAddress().getPort() + "/");
    InetAddress bound = server.getAddress().getAddress();
    this.loopbackNames = bound != null && bound.isLoopbackAddress()
        ? Set.copyOf(List.of("localhost", "127.0.0.1", "[::1]", shown.toLowerCase(Locale.ROOT))) : null;
  }

  /**
   * Starts serving {@code /health} and {@code /metrics}.
   *
   * @param host the address to bind, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)
   * @param port the port; 0 for any free one
   * @param anyPortIfTaken whether a port another process holds is replaced by a free one (and said so in the log):
   *     for a default port, as Dask's dashboard does, not for one the operator chose
   * @param healthy whether the service is healthy now; asked on every health check, from a request thread
   * @param name the service, for thread names and logs
   */
  public static HttpEndpoint start(String host, int port, boolean anyPortIfTaken, BooleanSupplier healthy,
      WeftMetrics metrics, String name) {
    AtomicInteger number = new AtomicInteger();
    ExecutorService threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, name + "-http-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    HttpServer server;
    try {
      server = bind(host, port);
    } catch (BindException taken) {
      if (!anyPortIfTaken || port == 0) {
        threads.shutdown();
        throw new IllegalStateException(name + " cannot serve HTTP on " + host + ":" + port + ": " + taken.getMessage()
            + " (weft.http.port chooses another port; -1 serves none)", taken);
      }
      try {
        server = bind(host, 0);
      } catch (IOException e) {
        threads.shutdown();
        throw new IllegalStateException(name + " cannot serve HTTP on " + host + ": " + e.getMessage(), e);
      }
      LOG.warn("port {} is taken; {} serves HTTP on port {} instead", port, name, server.getAddress().getPort());
    } catch (IOException e) {
      threads.shutdown();
      throw new IllegalStateException(name + " cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.setExecutor(threads);
    HttpEndpoint endpoint = new HttpEndpoint(server, threads, host);
    endpoint.handle("/health", exchange -> {
      boolean ok = healthy.getAsBoolean();
      respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "unavailable\n");
    });
    endpoint.handle("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
        metrics.registry().scrape()));
    server.start();
    return endpoint;
  }

  private static HttpServer bind(String host, int port) throws IOException {
    return HttpServer.create(new InetSocketAddress(host, port), 64);
  }

  /**
   * Serves {@code path} and everything under it with {@code handler}; only GET and HEAD reach it, other methods are
   * answered 405, and a {@code Host} that is not this machine's loopback 403 when bound to a loopback address. A
   * handler that throws is answered 500 with the error's message.
   */
  public void handle(String path, HttpHandler handler) {
    server.createContext(path, exchange -> {
      try (exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (!hostAllowed(host)) {
          respond(exchange, 403, "text/plain; charset=utf-8", "forbidden: this endpoint is bound to a loopback "
              + "address and answers requests for localhost, 127.0.0.1 or [::1] only (weft.http.host)\n");
          return;
        }
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          respond(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed here\n");
          return;
        }
        try {
          handler.handle(exchange);
        } catch (IOException e) {
          LOG.debug("{} {}: the client went away ({})", method, exchange.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
          LOG.warn("{} {} failed", method, exchange.getRequestURI(), e);
          if (exchange.getResponseCode() == -1) {
            respond(exchange, 500, "text/plain; charset=utf-8", "error: " + e + "\n");
          }
        }
      } catch (IOException e) {
        LOG.debug("an HTTP exchange ended badly: {}", e.toString());
      }
    });
  }

  /**
   * Whether a request with this {@code Host} header is answered: any when not bound to a loopback address; else one of
   * the loopback's names, with or without a port (or none: a client of HTTP/1.0; a browser always sends one).
   */
  boolean hostAllowed(String host) {
    if (loopbackNames == null || host == null) {
      return true;
    }
    String name = host.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("[")) {
      int end = name.indexOf(']');
      if (end < 0 || (end + 1 < name.length() && !port(name.substring(end + 1)))) {
        return false;
      }
      name = name.substring(0, end + 1);
    } else {
      int colon = name.indexOf(':');
      if (colon >= 0) {
        if (!port(name.substring(colon))) {
          return false;
        }
        name = name.substring(0, colon);
      }
    }
    return loopbackNames.contains(name);
  }

  /** Whether {@code text} is {@code :} and a port number. */
  private static boolean port(String text) {
    return text.length() > 1 && text.length() <= 6 && text.charAt(0) == ':'
        && text.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** Sends a whole response; a HEAD request gets the headers only. */
  public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a whole response; a HEAD request gets the headers only. */
  public static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Where this endpoint serves, such as {@code http://127.0.0.1:8787/}. */
  public URI address() {
    return address;
  }

  /** Stops serving; open streams are cut. */
  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
