package dev.weft.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.dashboard.internal.ClusterModel;
import dev.weft.dashboard.internal.Readers;
import dev.weft.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster as Kafka holds it, read on threads of this view's own: graphs from the events and graphs topics, workers
 * from their reports, the groups and their lag from Kafka's admin API, dead letters, stream jobs. Needs no scheduler:
 * {@code weft status} and {@code weft dump} start one, read {@link #state()} once caught up, and close it; each
 * scheduler's dashboard keeps one open.
 *
 * <pre>{@code
 * try (ClusterView view = ClusterView.start(config)) {
 *   view.awaitCaughtUp(Duration.ofSeconds(15));
 *   ClusterState state = view.state();
 * }
 * }</pre>
 */
public final class ClusterView implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Unfinished graphs whose tasks a dump reads, at most: each takes a read of Kafka. */
  private static final int MAX_GRAPHS_WITH_TASKS = 100;
  /**
   * Graphs a dump lists per graph state: as many as the view can hold (it tracks at most 10,000 unfinished graphs and
   * keeps at most {@code weft.dashboard.finished.graphs}, 10,000 at most, finished ones), so a dump lists them all.
   */
  static final int DUMP_GRAPHS_LISTED = 10_000;

  private final ClusterModel model;
  private final SchemaRegistryClient registry;
  private final Readers readers;

  private ClusterView(DashboardConfig config) {
    this.model = new ClusterModel(config.rules(), config.getInt(DashboardConfig.FINISHED_GRAPHS));
    this.registry = config.registryClient();
    try {
      Topics topics = config.topics();
      this.readers = Readers.start(config, topics, new WireCodec(registry), model, clientId(config));
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /** Starts reading the cluster {@code config} names (the common keys of a Weft client, and {@link DashboardConfig}'s). */
  public static ClusterView start(Map<String, ?> config) {
    return new ClusterView(new DashboardConfig(config));
  }

  private static String clientId(DashboardConfig config) {
    Object scheduler = config.originals().get("weft.scheduler.name");
    return "weft-dashboard-" + (scheduler != null ? scheduler : ProcessHandle.current().pid());
  }

  /** The cluster now, listing at most 200 graphs of each graph state (all are counted), as the dashboard shows it. */
  public ClusterState state() {
    return model.state(System.currentTimeMillis());
  }

  /** The cluster now, listing at most {@code graphsPerState} graphs of each graph state; all are counted. */
  public ClusterState state(int graphsPerState) {
    return model.state(System.currentTimeMillis(), graphsPerState);
  }

  /**
   * Waits until the view has read its topics to the ends they had when it started, and asked Kafka for the groups and
   * the stream jobs once.
   *
   * @return false if that did not happen within {@code timeout} (the state is then partial: it says so)
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return model.awaitCaughtUp(timeout.toMillis());
  }

  /**
   * The tasks of a graph the view knows, by state, at most {@code maxPerState} listed in each; empty when the view
   * does not know the graph (it is older than the look-back, or was dropped from the finished ones kept). Reads Kafka:
   * up to ten seconds.
   */
  public Optional<GraphTasks> graphTasks(String graphId, int maxPerState) {
    return Optional.ofNullable(readers.graphTasks(graphId, maxPerState, System.currentTimeMillis()));
  }

  /**
   * The whole cluster state as JSON, as {@code weft dump} writes it (Dask's {@code dump_cluster_state}): the state,
   * with every graph the view holds (up to 10,000 of each graph state: the view holds no more), each unfinished graph
   * with its tasks by state under {@code tasks} (the first hundred such graphs).
   */
  public ObjectNode dump(int maxTasksPerState) {
    ClusterState state = state(DUMP_GRAPHS_LISTED);
    ObjectNode dump = JSON.valueToTree(state);
    ArrayNode graphs = (ArrayNode) dump.get("graphs");
    int read = 0;
    for (int i = 0; i < state.graphs().size(); i++) {
      ClusterState.Graph graph = state.graphs().get(i);
      ObjectNode node = (ObjectNode) graphs.get(i);
      if (!graph.isFinished() && read++ < MAX_GRAPHS_WITH_TASKS) {
        graphTasks(graph.id(), maxTasksPerState).ifPresent(tasks -> node.set("tasks", JSON.valueToTree(tasks)));
      }
    }
    if (read > MAX_GRAPHS_WITH_TASKS) {
      dump.put("note", "the tasks of the first " + MAX_GRAPHS_WITH_TASKS + " unfinished graphs are listed, not those of "
          + (read - MAX_GRAPHS_WITH_TASKS) + " more");
    }
    return dump;
  }

  /** The JSON mapper of the view's records: what the dashboard serves and {@code weft dump} writes. */
  public static ObjectMapper json() {
    return JSON;
  }

  /** Stops reading and closes the clients. */
  @Override
  public void close() {
    readers.close();
    registry.close();
  }
}
