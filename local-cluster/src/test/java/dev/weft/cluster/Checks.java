package dev.weft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What the cluster tests check the same way. */
final class Checks {
  private Checks() {}

  /** Waits for {@code condition}, failing the test after two minutes. */
  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + " did not happen within 2 minutes");
      Thread.sleep(50);
    }
  }

  /** The body of a GET of {@code url} that answered 200. */
  static String get(URI url) throws IOException, InterruptedException {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), url + ": " + response.body());
    return response.body();
  }

  /** Whether something listens at {@code host:port} now. */
  static boolean listening(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(hostAndPort.substring(0, colon),
          Integer.parseInt(hostAndPort.substring(colon + 1))), 2_000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  static String hostAndPort(String url) {
    URI uri = URI.create(url);
    return uri.getHost() + ":" + uri.getPort();
  }

  /** Nothing listens at {@code host:port}: the connection is refused, not timed out. */
  static void assertReleased(String hostAndPort, String what) {
    int colon = hostAndPort.lastIndexOf(':');
    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostAndPort.substring(0, colon),
            Integer.parseInt(hostAndPort.substring(colon + 1))), 2_000);
      }
    }, what + " at " + hostAndPort + " still accepts connections");
  }
}
