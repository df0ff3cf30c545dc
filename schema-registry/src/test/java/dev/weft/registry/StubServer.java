package dev.weft.registry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * An HTTP server that answers with scripted responses, in order, and records the requests it got: for the client's
 * unit tests of what a real registry does not do on demand (fail, throttle, check credentials).
 */
public final class StubServer implements AutoCloseable {
  private final HttpServer server;
  private final Deque<Reply> replies = new ArrayDeque<>();
  private final List<Received> received = new ArrayList<>();

  public record Reply(int status, String body, Map<String, String> headers) {}

  public record Received(String method, String path, Headers headers, String body) {}

  public StubServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      Reply reply;
      synchronized (this) {
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
            exchange.getRequestHeaders(), new String(exchange.getRequestBody().readAllBytes(),
            StandardCharsets.UTF_8)));
        reply = replies.isEmpty() ? new Reply(500, "{\"error_code\":50001,\"message\":\"no reply scripted\"}",
            Map.of()) : replies.removeFirst();
      }
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public synchronized StubServer reply(int status, String body) {
    replies.add(new Reply(status, body, Map.of()));
    return this;
  }

  public synchronized StubServer reply(int status, String body, Map<String, String> headers) {
    replies.add(new Reply(status, body, headers));
    return this;
  }

  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
