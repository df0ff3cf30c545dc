package dev.weft.broker;

import dev.weft.broker.client.GraphFuture;
import dev.weft.broker.client.GraphListener;
import dev.weft.broker.client.SubmitOptions;
import dev.weft.broker.client.WeftClient;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.connection.WeftConnection;
import dev.weft.graph.Graph;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.Scheduler;
import dev.weft.scheduler.SchedulerOptions;
import dev.weft.scheduler.TaskEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker scheduler behind Weft's common {@link Scheduler} API: a compute submits the graph through a
 * {@link WeftClient} and waits for its outputs, so the same code and the same conformance suite run on sync, threads,
 * processes and broker. Scheduler services and workers run elsewhere ({@code weft scheduler}, {@code weft worker},
 * or all on one machine with {@code weft up}).
 *
 * <p>Callbacks see the compute from the client's side: {@code start} when the scheduler accepted the graph,
 * {@code pretask} when a task was handed to the workers, {@code posttask} when its result was written (the value is
 * read from Kafka for the callback: diagnostics cost a read per task), {@code finish} at the end. They keep the
 * contract of {@link Callback} as the local schedulers do.
 */
public final class BrokerScheduler implements Scheduler {
  public static final String NAME = "broker";

  private final Map<Map<String, Object>, WeftClient> clients = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Object> compute(Graph graph, List<String> keys, ComputeOptions options) {
    WeftClient client = clientFor(options);
    List<Callback> callbacks = options.callbacks();
    Integer maxInFlight = options.get(SchedulerOptions.MAX_IN_FLIGHT);
    SubmitOptions submit = SubmitOptions.defaults().keys(keys).maxInFlight(maxInFlight == null ? 0 : maxInFlight);
    Relay relay = null;
    if (!callbacks.isEmpty()) {
      relay = new Relay(client, graph, keys, callbacks);
      submit = submit.listener(relay, true);
    }
    GraphFuture future = client.submit(graph, submit);
    if (relay != null) {
      relay.submitted(future);
    }
    Throwable failure = null;
    try {
      return WeftClient.await(future, options.get(BrokerOptions.TIMEOUT));
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      if (relay != null) {
        relay.finish(failure);
      }
    }
  }

  private WeftClient clientFor(ComputeOptions options) {
    Map<String, Object> connection = options.get(BrokerOptions.CONNECTION);
    if (connection == null) {
      connection = fromEnvironment();
    }
    return clients.computeIfAbsent(Map.copyOf(connection), WeftClient::connect);
  }

  /**
   * Kafka and registry settings from system properties or environment variables, as every Weft command reads them:
   * the client properties file ({@code WEFT_KAFKA_PROPERTIES}) included, so a SASL or TLS cluster is reached here too.
   */
  static Map<String, Object> fromEnvironment() {
    try {
      return WeftConnection.fromEnvironment();
    } catch (IllegalStateException missing) {
      throw new IllegalStateException("the broker scheduler needs Kafka and a schema registry: " + missing.getMessage()
          + "; or pass BrokerOptions.CONNECTION, or start everything on this machine with ./weft up", missing);
    }
  }

  @Override
  public void close() {
    clients.values().forEach(WeftClient::close);
    clients.clear();
  }

  /**
   * Turns the graph's events into the callbacks of the common API, with the contract the local schedulers keep: one
   * call at a time, in order; a callback that throws fails the compute with what it threw (the graph is cancelled and
   * no callback is called after); {@code finish} only for callbacks whose {@code start} returned.
   */
  private static final class Relay implements GraphListener {
    private final WeftClient client;
    private final Graph graph;
    private final List<String> keys;
    private final List<Callback> callbacks;
    private final List<Callback> started = new ArrayList<>();
    private final CompletableFuture<GraphFuture> future = new CompletableFuture<>();
    private GraphRun run;
    private Throwable failed;
    /** Set by finish: events that come after (the graph was cancelled, its events still arrive) call nothing. */
    private boolean finished;

    Relay(WeftClient client, Graph graph, List<String> keys, List<Callback> callbacks) {
      this.client = client;
      this.graph = graph;
      this.keys = keys;
      this.callbacks = callbacks;
    }

    void submitted(GraphFuture submitted) {
      future.complete(submitted);
    }

    @Override
    public synchronized void accepted(int tasks) {
      run = new GraphRun(graph, keys == null ? graph.outputs() : keys, NAME, tasks);
      for (Callback callback : callbacks) {
        if (!call(() -> callback.start(run))) {
          return;
        }
        started.add(callback);
      }
    }

    @Override
    public synchronized void taskStarted(String key, String function) {
      for (Callback callback : started) {
        if (!call(() -> callback.pretask(run, key))) {
          return;
        }
      }
    }

    @Override
    public synchronized void taskDone(String key, String function, ResultRef location, String worker,
        long durationNanos) {
      if (failed != null || finished || started.isEmpty()) {
        return;
      }
      // Durations come from the worker's clock; the event is stamped as ending now.
      long end = System.nanoTime();
      TaskEvent event = new TaskEvent(key, function, client.read(location), end - durationNanos, end, worker);
      for (Callback callback : started) {
        if (!call(() -> callback.posttask(run, event))) {
          return;
        }
      }
    }

    /**
     * Calls a callback unless one failed before; the first that throws fails the compute with what it threw and
     * cancels the graph. False once one has failed.
     */
    private boolean call(Runnable callback) {
      if (failed != null || finished) {
        return false;
      }
      try {
        callback.run();
        return true;
      } catch (Throwable t) {
        failed = t;
        future.thenAccept(graphFuture -> {
          graphFuture.completeExceptionally(t);
          client.cancel(graphFuture, "a callback failed: " + t);
        });
        return false;
      }
    }

    synchronized void finish(Throwable failure) {
      finished = true;
      for (Callback callback : started) {
        callback.finish(run, failure);
      }
    }
  }
}
