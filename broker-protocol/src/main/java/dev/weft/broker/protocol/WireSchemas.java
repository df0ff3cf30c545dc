package dev.weft.broker.protocol;

import dev.weft.avro.GraphSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/**
 * The Avro schemas of Weft's topic records ({@code weft-topics.avsc}), with the graph model's {@code Value} and
 * {@code GraphSpec} they embed. These are what the codec registers with the schema registry, one subject per topic,
 * and what any other Avro tool can read the topics with.
 */
public final class WireSchemas {
  /** The record kinds, one per topic. */
  public enum Kind {
    GRAPH_COMMAND("GraphCommand"),
    READY_TASK("ReadyTask"),
    TASK_RESULT("TaskResult"),
    GRAPH_EVENT("GraphEvent"),
    WORKER_REPORT("WorkerReport");

    private final String recordName;

    Kind(String recordName) {
      this.recordName = recordName;
    }

    public String recordName() {
      return recordName;
    }
  }

  private static final WireSchemas INSTANCE = load();

  private final Schema graphCommand;
  private final Schema readyTask;
  private final Schema taskResult;
  private final Schema graphEvent;
  private final Schema workerReport;

  private WireSchemas(Schema.Parser parser) {
    graphCommand = parser.getTypes().get("dev.weft.broker.GraphCommand");
    readyTask = parser.getTypes().get("dev.weft.broker.ReadyTask");
    taskResult = parser.getTypes().get("dev.weft.broker.TaskResult");
    graphEvent = parser.getTypes().get("dev.weft.broker.GraphEvent");
    workerReport = parser.getTypes().get("dev.weft.broker.WorkerReport");
  }

  public static WireSchemas get() {
    return INSTANCE;
  }

  private static WireSchemas load() {
    Schema.Parser parser = new Schema.Parser();
    // GraphSpec's schema holds the graph model's Value and friends: parsing it first names them for the topics file.
    parser.parse(GraphSpec.getClassSchema().toString());
    try (InputStream in = WireSchemas.class.getResourceAsStream("weft-topics.avsc")) {
      if (in == null) {
        throw new IllegalStateException("weft-topics.avsc is missing from the classpath");
      }
      parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new WireSchemas(parser);
  }

  public Schema schema(Kind kind) {
    switch (kind) {
      case GRAPH_COMMAND:
        return graphCommand;
      case READY_TASK:
        return readyTask;
      case TASK_RESULT:
        return taskResult;
      case GRAPH_EVENT:
        return graphEvent;
      case WORKER_REPORT:
        return workerReport;
      default:
        throw new IllegalArgumentException(String.valueOf(kind));
    }
  }
}
