package dev.weft.dashboard;

import dev.weft.broker.protocol.WeftKafkaConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the dashboard and of the {@link ClusterView} behind it, beside the common keys of Weft's clients. */
public final class DashboardConfig extends WeftKafkaConfig {
  public static final String ENABLED = "weft.dashboard.enabled";
  private static final String ENABLED_DOC = "Whether a scheduler serves the dashboard on its HTTP endpoint.";

  public static final String LOOKBACK_MS = "weft.dashboard.lookback.ms";
  private static final String LOOKBACK_MS_DOC = "How far back the view reads the graphs and events topics when it "
      + "starts: a graph submitted earlier is shown from its first event read, without its tasks.";

  public static final String FINISHED_GRAPHS = "weft.dashboard.finished.graphs";
  private static final String FINISHED_GRAPHS_DOC = "Finished graphs the view keeps, the newest.";

  public static final String SILENT_AFTER_MS = "weft.dashboard.worker.silent.ms";
  private static final String SILENT_AFTER_MS_DOC = "A worker whose last report is older than this is shown as "
      + "silent (it reports every weft.worker.report.interval.ms, 500 ms by default).";

  public static final String GONE_AFTER_MS = "weft.dashboard.worker.gone.ms";
  private static final String GONE_AFTER_MS_DOC = "A worker whose last report is older than this leaves the workers "
      + "table (by then Kafka has moved its partitions to the others if its session.timeout.ms is not longer); one "
      + "whose last report says it stops leaves it at once.";

  public static final String ADMIN_INTERVAL_MS = "weft.dashboard.admin.interval.ms";
  private static final String ADMIN_INTERVAL_MS_DOC = "How often the view asks Kafka for the consumer groups, their "
      + "lag and the stream jobs.";

  public static final String PUSH_INTERVAL_MS = "weft.dashboard.push.interval.ms";
  private static final String PUSH_INTERVAL_MS_DOC = "How often the dashboard pushes the state to open pages.";

  public static final String MAX_PAGES = "weft.dashboard.max.pages";
  private static final String MAX_PAGES_DOC = "Pages that may follow the dashboard at once (each holds a connection "
      + "and a thread of the scheduler's HTTP endpoint); more are answered 503.";

  private static final ConfigDef DEFINITION = baseDefinition()
      .define(ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, ENABLED_DOC)
      .define(LOOKBACK_MS, Type.LONG, 3_600_000L, ConfigDef.Range.atLeast(0), Importance.LOW, LOOKBACK_MS_DOC)
      .define(FINISHED_GRAPHS, Type.INT, 100, ConfigDef.Range.between(0, 10_000), Importance.LOW,
          FINISHED_GRAPHS_DOC)
      .define(SILENT_AFTER_MS, Type.LONG, 2_000L, ConfigDef.Range.atLeast(1), Importance.LOW, SILENT_AFTER_MS_DOC)
      .define(GONE_AFTER_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW, GONE_AFTER_MS_DOC)
      .define(ADMIN_INTERVAL_MS, Type.LONG, 2_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
          ADMIN_INTERVAL_MS_DOC)
      .define(PUSH_INTERVAL_MS, Type.LONG, 500L, ConfigDef.Range.atLeast(50), Importance.LOW, PUSH_INTERVAL_MS_DOC)
      .define(MAX_PAGES, Type.INT, 8, ConfigDef.Range.between(1, 1_000), Importance.LOW, MAX_PAGES_DOC);

  public DashboardConfig(Map<String, ?> originals) {
    super(DEFINITION, originals);
  }

  /** The rules the view applies to workers. */
  public ClusterState.Rules rules() {
    return new ClusterState.Rules(getLong(SILENT_AFTER_MS), getLong(GONE_AFTER_MS));
  }
}
