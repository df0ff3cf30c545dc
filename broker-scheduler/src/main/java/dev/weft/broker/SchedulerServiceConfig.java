package dev.weft.broker;

import dev.weft.broker.protocol.WeftKafkaConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of a {@link SchedulerService}, beside the common keys of {@link WeftKafkaConfig}. */
public final class SchedulerServiceConfig extends WeftKafkaConfig {
  public static final String MAX_IN_FLIGHT_PER_POOL = "weft.scheduler.max.in.flight.per.pool";
  private static final String MAX_IN_FLIGHT_PER_POOL_DOC = "Most tasks of one worker pool emitted and not yet "
      + "finished, over all graphs: the rest wait in the scheduler, so a graph of a million roots does not flood the "
      + "tasks topic.";

  public static final String PROGRESS_INTERVAL_MS = "weft.scheduler.progress.interval.ms";
  private static final String PROGRESS_INTERVAL_MS_DOC = "How often a running graph's progress event is published.";

  public static final String COMMIT_INTERVAL_MS = "weft.scheduler.commit.interval.ms";
  private static final String COMMIT_INTERVAL_MS_DOC = "How often the scheduler records how far it has read, which "
      + "bounds what a scheduler taking over a partition reads again.";

  public static final String PLUGIN_DIR = "weft.plugin.dir";
  private static final String PLUGIN_DIR_DOC = "Folder of plugin jars whose functions graphs may name, besides the "
      + "classpath's. Deploy the same plugins to schedulers and workers.";

  public static final String VALIDATE_FUNCTIONS = "weft.scheduler.validate.functions";
  private static final String VALIDATE_FUNCTIONS_DOC = "Whether graphs naming functions this scheduler does not know "
      + "are rejected on submission (otherwise the worker fails the task).";

  public static final String NAME = "weft.scheduler.name";
  private static final String NAME_DOC = "Name of this scheduler instance, for client ids and logs.";

  /** The dashboard's port by default (Dask's); taken by another process, a free one is used instead. */
  public static final int DEFAULT_HTTP_PORT = 8787;

  static ConfigDef definition() {
    return withHttp(baseDefinition(), DEFAULT_HTTP_PORT)
        .define(MAX_IN_FLIGHT_PER_POOL, Type.INT, 20_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
            MAX_IN_FLIGHT_PER_POOL_DOC)
        .define(PROGRESS_INTERVAL_MS, Type.LONG, 200L, ConfigDef.Range.atLeast(1), Importance.LOW,
            PROGRESS_INTERVAL_MS_DOC)
        .define(COMMIT_INTERVAL_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            COMMIT_INTERVAL_MS_DOC)
        .define(PLUGIN_DIR, Type.STRING, null, Importance.MEDIUM, PLUGIN_DIR_DOC)
        .define(VALIDATE_FUNCTIONS, Type.BOOLEAN, true, Importance.LOW, VALIDATE_FUNCTIONS_DOC)
        .define(NAME, Type.STRING, "scheduler-" + ProcessHandle.current().pid(), Importance.LOW, NAME_DOC);
  }

  public SchedulerServiceConfig(Map<String, ?> originals) {
    super(definition(), originals);
  }
}
