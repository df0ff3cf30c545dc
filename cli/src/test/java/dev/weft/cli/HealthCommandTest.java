package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code weft health URL}, the command the container health checks run, against a real HTTP server. */
@org.junit.jupiter.api.Timeout(60)
class HealthCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;
  private HttpServer server;
  private final CountDownLatch released = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health", exchange -> answer(exchange, 200, "ok"));
    server.createContext("/starting", exchange -> answer(exchange, 503,
        "not ready:\n  the loop holds no partitions yet\n"));
    server.createContext("/hangs", exchange -> {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(exchange, 200, "too late");
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    System.setOut(originalOut);
    System.setErr(originalErr);
    released.countDown();
    server.stop(0);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Test
  void twoHundredIsHealthy() {
    assertEquals(Main.OK, Main.run("health", url("/health")), err.toString(StandardCharsets.UTF_8));
    assertEquals("healthy: " + url("/health") + " answered 200\n", out.toString(StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anyOtherAnswerIsUnhealthyWithItsStatusAndBodyOnOneLine() {
    assertEquals(Main.FAILED, Main.run("health", url("/starting")));
    assertEquals("weft health: " + url("/starting") + " answered 503: not ready: the loop holds no partitions yet\n",
        err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(Main.FAILED, Main.run("health", url("/nothing-here")));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("weft health: " + url("/nothing-here")
        + " answered 404"), err.toString(StandardCharsets.UTF_8));
    assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
  }

  @Test
  void nothingListeningAndNoAnswerInTimeAreUnhealthy() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    assertEquals(Main.FAILED, Main.run("health", "http://127.0.0.1:" + closed + "/health"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("weft health: cannot reach http://127.0.0.1:" + closed
        + "/health: java.net.ConnectException"), err.toString(StandardCharsets.UTF_8));
    err.reset();
    long started = System.nanoTime();
    assertEquals(Main.FAILED, Main.run("health", url("/hangs"), "--timeout", "PT0.5S"));
    assertEquals("weft health: no answer from " + url("/hangs") + " within 500 ms\n",
        err.toString(StandardCharsets.UTF_8));
    assertTrue(System.nanoTime() - started < 20_000_000_000L, "gave up at its timeout, not hanging");
  }

  @Test
  void aUrlThatIsNotHttpIsAUsageError() {
    assertEquals(Main.USAGE, Main.run("health", "localhost:8787/health"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("weft health needs an http:// or https:// URL"),
        err.toString(StandardCharsets.UTF_8));
    out.reset();
    assertEquals(Main.OK, Main.run("health", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: weft health"));
  }
}
