package dev.weft.kafka.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free and fixed loopback ports for the broker's listeners. */
final class Ports {
  private Ports() {}

  /**
   * Two distinct ports that are free on {@link BrokerSettings#HOST} now. Another process may take one before the
   * broker binds it; {@link InProcessBroker} retries with new ports when that happens.
   */
  static int[] freePair() {
    try (ServerSocket first = open(0); ServerSocket second = open(0)) {
      return new int[] {first.getLocalPort(), second.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports on " + BrokerSettings.HOST, e);
    }
  }

  /**
   * Fails with a message naming the port if a port the caller chose is taken, before Kafka tries it and fails with a
   * stack of its own.
   */
  static void requireFree(int port) {
    try {
      open(port).close();
    } catch (BindException e) {
      throw new PortInUseException(port, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check port " + port + " on " + BrokerSettings.HOST, e);
    }
  }

  private static ServerSocket open(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      // Connections of a stopped broker linger in TIME_WAIT; the broker's own listener binds over them (Java sets
      // SO_REUSEADDR on server sockets), so this check must too, or a restart on the same port would be refused.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(BrokerSettings.HOST), port));
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** A listener port that another process holds. */
  static final class PortInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final int port;

    PortInUseException(int port, Throwable cause) {
      super("port " + port + " on " + BrokerSettings.HOST + " is in use by another process: choose another port, or 0"
          + " for a free one", cause);
      this.port = port;
    }

    int port() {
      return port;
    }
  }
}
