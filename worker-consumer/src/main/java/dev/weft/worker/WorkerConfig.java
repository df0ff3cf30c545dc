package dev.weft.worker;

import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of a {@link Worker}, beside the common keys of {@link WeftKafkaConfig}. */
public final class WorkerConfig extends WeftKafkaConfig {
  public static final String POOL = "weft.worker.pool";
  private static final String POOL_DOC = "The worker pool this worker serves: tasks annotated with this pool, or "
      + "unannotated ones for the default pool.";

  public static final String THREADS = "weft.worker.threads";
  private static final String THREADS_DOC = "Tasks this worker runs at once; default: the number of processors.";

  public static final String QUEUED_PER_THREAD = "weft.worker.queued.per.thread";
  private static final String QUEUED_PER_THREAD_DOC = "Tasks taken from Kafka and waiting per thread; beyond, the "
      + "worker pauses its partitions (and keeps polling, so a long task does not cost it its group membership).";

  public static final String CACHE_BYTES = "weft.worker.cache.bytes";
  private static final String CACHE_BYTES_DOC = "Memory for results this worker made or read, so that a task whose "
      + "input was made here reads no record.";

  public static final String PLUGIN_DIR = "weft.plugin.dir";
  private static final String PLUGIN_DIR_DOC = "Folder of plugin jars whose function modules the worker loads, "
      + "each jar in a class loader of its own.";

  public static final String INPUT_TIMEOUT_MS = "weft.worker.input.timeout.ms";
  private static final String INPUT_TIMEOUT_MS_DOC = "How long a task waits for its inputs to be read before it "
      + "fails.";

  public static final String REVOKE_WAIT_MS = "weft.worker.revoke.wait.ms";
  private static final String REVOKE_WAIT_MS_DOC = "When partitions move to another worker, how long this one waits "
      + "for their running tasks, so that their results are committed here and the tasks do not run twice.";

  public static final String COMMIT_INTERVAL_MS = "weft.worker.commit.interval.ms";
  private static final String COMMIT_INTERVAL_MS_DOC = "How often the worker commits the tasks whose results Kafka has "
      + "acknowledged. Each commit is a write to the group coordinator; after a crash, tasks finished since the last "
      + "commit run again (the scheduler keeps the first result of each). A graceful stop or a rebalance commits at "
      + "once.";

  public static final String MAX_TASK_DEATHS = "weft.worker.max.task.deaths";
  private static final String MAX_TASK_DEATHS_DOC = "How many workers a task may take down (exit, run out of memory, "
      + "be killed) while it runs alone before it fails with KilledWorkerException instead of being handed to the next "
      + "worker. Tasks of a partition run alone, one at a time, once the workers running them died "
      + "twice in a row without getting past them, so that the one at fault is known.";

  public static final String NAME = "weft.worker.name";
  private static final String NAME_DOC = "Name of this worker, written with each result.";

  public static final String REPORT_INTERVAL_MS = "weft.worker.report.interval.ms";
  private static final String REPORT_INTERVAL_MS_DOC = "How often the worker publishes a report to the workers topic: "
      + "its state (threads, tasks running, cache, heap, partitions) and the tasks it started and finished since the "
      + "last one, for the dashboard, `weft status` and `weft dump`; 0 publishes none.";

  public static final String REPORT_MAX_TASKS = "weft.worker.report.max.tasks";
  private static final String REPORT_MAX_TASKS_DOC = "Most finished tasks one report lists; beyond, a sample of them "
      + "is listed and the rest only counted, so that reports stay small whatever the task rate.";

  static ConfigDef definition() {
    return withHttp(baseDefinition(), -1)
        .define(REPORT_INTERVAL_MS, Type.LONG, 500L, ConfigDef.Range.atLeast(0), Importance.LOW,
            REPORT_INTERVAL_MS_DOC)
        .define(REPORT_MAX_TASKS, Type.INT, 2_000, ConfigDef.Range.atLeast(0), Importance.LOW, REPORT_MAX_TASKS_DOC)
        .define(POOL, Type.STRING, Topics.DEFAULT_POOL, Importance.HIGH, POOL_DOC)
        .define(THREADS, Type.INT, Runtime.getRuntime().availableProcessors(), ConfigDef.Range.atLeast(1),
            Importance.HIGH, THREADS_DOC)
        .define(QUEUED_PER_THREAD, Type.INT, 64, ConfigDef.Range.atLeast(1), Importance.LOW, QUEUED_PER_THREAD_DOC)
        .define(CACHE_BYTES, Type.LONG, 256L << 20, ConfigDef.Range.atLeast(0), Importance.MEDIUM, CACHE_BYTES_DOC)
        .define(PLUGIN_DIR, Type.STRING, null, Importance.MEDIUM, PLUGIN_DIR_DOC)
        .define(INPUT_TIMEOUT_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
            INPUT_TIMEOUT_MS_DOC)
        .define(REVOKE_WAIT_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW, REVOKE_WAIT_MS_DOC)
        .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(0), Importance.LOW,
            COMMIT_INTERVAL_MS_DOC)
        .define(MAX_TASK_DEATHS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW, MAX_TASK_DEATHS_DOC)
        .define(NAME, Type.STRING, "worker-" + ProcessHandle.current().pid(), Importance.LOW, NAME_DOC);
  }

  public WorkerConfig(Map<String, ?> originals) {
    super(definition(), originals);
  }
}
