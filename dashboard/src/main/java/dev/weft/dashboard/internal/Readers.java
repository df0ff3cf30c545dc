package dev.weft.dashboard.internal;

import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.dashboard.DashboardConfig;
import dev.weft.dashboard.GraphTasks;
import java.time.Duration;
import java.util.Map;

/**
 * The view's readers and their threads: the topics' reader, the poller of Kafka's admin API, and the reader of a
 * graph's tasks (on the caller's thread). Started together, closed together.
 */
public final class Readers implements AutoCloseable {
  private final TopicReader topicReader;
  private final GroupPoller groupPoller;
  private final GraphTasksReader graphTasks;
  private final Thread topicThread;
  private final Thread groupThread;

  private Readers(TopicReader topicReader, GroupPoller groupPoller, GraphTasksReader graphTasks, String name) {
    this.topicReader = topicReader;
    this.groupPoller = groupPoller;
    this.graphTasks = graphTasks;
    this.topicThread = new Thread(topicReader, name + "-topics");
    this.groupThread = new Thread(groupPoller, name + "-groups");
    topicThread.setDaemon(true);
    groupThread.setDaemon(true);
  }

  /** Starts reading the cluster into {@code model}. */
  public static Readers start(DashboardConfig config, Topics topics, WireCodec codec, ClusterModel model,
      String clientId) {
    Map<String, Object> clients = config.clientProperties();
    GraphTasksReader graphTasks = new GraphTasksReader(clients, clientId + "-tasks", topics, codec, model);
    TopicReader topicReader;
    GroupPoller groupPoller;
    try {
      topicReader = new TopicReader(clients, clientId, topics, codec, model,
          config.getLong(DashboardConfig.LOOKBACK_MS), System::currentTimeMillis);
      try {
        groupPoller = new GroupPoller(config.originals(), topics, model,
            config.getLong(DashboardConfig.ADMIN_INTERVAL_MS));
      } catch (RuntimeException e) {
        topicReader.close();
        topicReader.run(); // closes its consumer at once
        throw e;
      }
    } catch (RuntimeException e) {
      graphTasks.close();
      throw e;
    }
    Readers readers = new Readers(topicReader, groupPoller, graphTasks, clientId);
    readers.topicThread.start();
    readers.groupThread.start();
    return readers;
  }

  /** See {@link dev.weft.dashboard.ClusterView#graphTasks}. */
  public GraphTasks graphTasks(String graphId, int maxPerState, long now) {
    return graphTasks.read(graphId, maxPerState, now);
  }

  @Override
  public void close() {
    topicReader.close();
    groupPoller.close();
    try {
      topicThread.join(Duration.ofSeconds(5).toMillis());
      groupThread.join(Duration.ofSeconds(15).toMillis()); // an admin call in flight ends within its timeout
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    graphTasks.close();
  }
}
