package dev.weft.broker.protocol;

import dev.weft.broker.protocol.WireSchemas.Kind;
import dev.weft.graph.Arg;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.codec.GraphCodec;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.value.DecodeLimits;
import dev.weft.value.MalformedValueException;
import dev.weft.value.RecordSchemas;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import dev.weft.value.internal.BoundedDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Encodes and decodes the records of Weft's topics in the Confluent wire format: a zero magic byte, the writer
 * schema's registry id as a big-endian int, then the Avro binary body.
 *
 * <p>Each topic's schema is registered under the subject {@code <topic>-value} (Confluent's topic name strategy) the
 * first time the codec writes to the topic. Bodies are written and read straight from and into Weft's
 * records, values with {@link ValueCodec} (no copy of large bytes). A record written under another version of a schema
 * (an older or newer Weft) is read through Avro's schema resolution against this version: evolution works as the
 * registry's compatibility rules promise. Bytes that are not such a record raise a {@link MalformedValueException}
 * that says why; nothing is allocated beyond what the record's own size allows.
 *
 * <p>Thread-safe.
 */
public final class WireCodec {
  private static final byte MAGIC = 0;
  private static final GenericData ORDERED_MAPS = new OrderedMaps();

  private final SchemaRegistryClient registry;
  private final WireSchemas schemas = WireSchemas.get();
  private final ValueCodec values;
  private final GraphCodec graphs;
  private final DecodeLimits limits;
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Kind, Long> fingerprints = new EnumMap<>(Kind.class);
  /** Per (kind, writer id): whether the writer's schema is this version's, so the body needs no resolution. */
  private final Map<Long, Boolean> sameAsOurs = new ConcurrentHashMap<>();

  public WireCodec(SchemaRegistryClient registry) {
    this(registry, DecodeLimits.DEFAULT);
  }

  public WireCodec(SchemaRegistryClient registry, DecodeLimits limits) {
    this.registry = registry;
    this.limits = limits;
    this.values = new ValueCodec(limits, RecordSchemas.embedded());
    this.graphs = new GraphCodec(limits, RecordSchemas.embedded());
    for (Kind kind : Kind.values()) {
      fingerprints.put(kind, SchemaNormalization.parsingFingerprint64(schemas.schema(kind)));
    }
  }

  /** Registers (once) this version's schema of {@code kind} under the topic's subject and returns its id. */
  public int schemaId(String topic, Kind kind) {
    Integer id = ids.get(topic);
    return id != null ? id : ids.computeIfAbsent(topic, t -> register(t + "-value", kind));
  }

  private int register(String subject, Kind kind) {
    try {
      return registry.register(subject, schemas.schema(kind));
    } catch (SchemaRegistryException e) {
      int status = e.status();
      if (status == SchemaRegistryException.NO_RESPONSE || status >= 500) {
        throw new RegistryUnavailableException("the schema registry cannot register " + subject + ": "
            + e.getMessage(), e);
      }
      throw e;
    }
  }

  private BinaryWriter start(String topic, Kind kind) {
    int id = schemaId(topic, kind);
    BinaryWriter out = new BinaryWriter(256);
    byte[] header = {MAGIC, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
    out.writeRaw(header, 0, header.length);
    return out;
  }

  /** The body of a record of {@code kind}, read in this version's schema whatever version wrote it. */
  private BinaryReader body(String topic, Kind kind, byte[] data) {
    if (data == null) {
      throw new MalformedValueException("a record of " + topic + " has no value");
    }
    if (data.length < 5) {
      throw new MalformedValueException("a record of " + topic + " has " + data.length
          + " bytes, fewer than the 5 of the Confluent header");
    }
    if (data[0] != MAGIC) {
      throw new MalformedValueException("a record of " + topic + " starts with byte " + data[0]
          + ", not the Confluent wire format's magic byte 0");
    }
    int id = ByteBuffer.wrap(data, 1, 4).getInt();
    ByteBuffer body = ByteBuffer.wrap(data, 5, data.length - 5);
    Integer ours = ids.get(topic);
    if (ours != null && ours == id
        || sameAsOurs.computeIfAbsent(((long) kind.ordinal() << 32) | (id & 0xffffffffL), key -> isOurs(id, kind))) {
      return new BinaryReader(body);
    }
    return new BinaryReader(resolve(id, kind, body));
  }

  private boolean isOurs(int id, Kind kind) {
    Schema writer = writerSchema(id);
    return SchemaNormalization.parsingFingerprint64(writer) == fingerprints.get(kind);
  }

  /**
   * The schema a record names. An id the registry says it does not know (Confluent's 40403), or a schema it gives that
   * Avro refuses, makes the record malformed. Anything else (no answer, a server error, a refusal of this client, a
   * proxy's answer) is not the record's fault: {@link RegistryUnavailableException}, and the caller tries again later,
   * rather than put aside a record that a registry back to health would read.
   */
  private Schema writerSchema(int id) {
    if (id <= 0) {
      throw new MalformedValueException("a record names schema id " + id + ", which no registry gives");
    }
    try {
      return registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        throw new MalformedValueException("a record names schema id " + id + ", which the registry does not know",
            e);
      }
      throw new RegistryUnavailableException("the schema registry cannot give schema id " + id + ": "
          + e.getMessage(), e);
    } catch (AvroRuntimeException e) {
      throw new MalformedValueException("a record names schema id " + id + ", whose schema Avro refuses: "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new RegistryUnavailableException("the schema registry's answer for schema id " + id
          + " cannot be read: " + e, e);
    }
  }

  /**
   * Runs a decode of outside bytes so that only refusals come out: a {@link MalformedValueException} (the record is put
   * aside), a {@link GraphValidationException} (the graph is rejected) or a {@link RegistryUnavailableException} (try
   * again later). Anything else a decoder throws on crafted bytes would stop the loop that read them, and every loop
   * that read them after.
   */
  private static <T> T refusingAllElse(String topic, java.util.function.Supplier<T> decode) {
    try {
      return decode.get();
    } catch (MalformedValueException | GraphValidationException | RegistryUnavailableException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new MalformedValueException("a record of " + topic + " cannot be decoded: " + e, e);
    }
  }

  /** Reads a body written in another version of the schema, and rewrites it in ours. */
  private ByteBuffer resolve(int id, Kind kind, ByteBuffer body) {
    Schema writer = writerSchema(id);
    Schema reader = schemas.schema(kind);
    try {
      Object datum = new GenericDatumReader<>(writer, reader, ORDERED_MAPS).read(null,
          new BoundedDecoder(new BinaryReader(body), limits, false));
      ByteArrayOutputStream rewritten = new ByteArrayOutputStream(body.remaining() + 16);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(rewritten, null);
      new GenericDatumWriter<>(reader).write(datum, encoder);
      encoder.flush();
      return ByteBuffer.wrap(rewritten.toByteArray());
    } catch (IOException | AvroRuntimeException | ClassCastException | IndexOutOfBoundsException e) {
      throw new MalformedValueException("a " + kind.recordName() + " written with schema id " + id
          + " cannot be read as this version's " + kind.recordName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Avro's generic data, but with maps that keep their entries' order. Avro's own puts them in a HashMap, and a body
   * rewritten from it would list a graph's inputs, an event's locations and the entries of map values in hash order
   * rather than the writer's. Avro's readers, the fast one included, create their maps here.
   */
  private static final class OrderedMaps extends GenericData {
    /** Avro may size a map by the count it read; a corrupt count must not size the table. */
    private static final int MAX_INITIAL_CAPACITY = 1024;

    @Override
    public Object newMap(Object old, int size) {
      return new LinkedHashMap<>(Math.max(0, Math.min(size, MAX_INITIAL_CAPACITY)));
    }
  }

  // --- graphs topic

  public byte[] encode(String topic, GraphCommand command) {
    BinaryWriter out = start(topic, Kind.GRAPH_COMMAND);
    out.writeString(command.graphId());
    if (command instanceof GraphCommand.Submit) {
      GraphCommand.Submit submit = (GraphCommand.Submit) command;
      out.writeInt(0);
      graphs.write(submit.graph(), out);
      if (submit.keys() == null) {
        out.writeInt(0);
      } else {
        out.writeInt(1);
        out.writeStrings(submit.keys());
      }
      writeRefs(out, submit.inputs());
      out.writeInt(submit.maxInFlight());
      out.writeBoolean(submit.taskEvents());
      out.writeString(submit.client());
    } else {
      out.writeInt(1);
      out.writeString(((GraphCommand.Cancel) command).reason());
    }
    return out.toByteArray();
  }

  public GraphCommand decodeCommand(String topic, byte[] data) {
    return refusingAllElse(topic, () -> decodeCommandUnchecked(topic, data));
  }

  private GraphCommand decodeCommandUnchecked(String topic, byte[] data) {
    BinaryReader in = body(topic, Kind.GRAPH_COMMAND, data);
    String graphId = in.readString();
    int branch = in.readInt();
    GraphCommand command;
    if (branch == 0) {
      var graph = graphs.read(in);
      List<String> keys = optionalBranch(in, "keys") ? in.readStrings() : null;
      command = new GraphCommand.Submit(graphId, graph, keys, readRefs(in), in.readInt(), in.readBoolean(),
          in.readString());
    } else if (branch == 1) {
      command = new GraphCommand.Cancel(graphId, in.readString());
    } else {
      throw new MalformedValueException("unknown graph command " + branch);
    }
    return finished(in, command);
  }

  // --- tasks topics

  public byte[] encode(String topic, ReadyTask task) {
    BinaryWriter out = start(topic, Kind.READY_TASK);
    out.writeString(task.graphId());
    out.writeString(task.taskKey());
    out.writeInt(task.attempt());
    out.writeString(task.function());
    writeArgs(out, task.args());
    out.writeInt(task.graphPartition());
    return out.toByteArray();
  }

  public ReadyTask decodeTask(String topic, byte[] data) {
    return refusingAllElse(topic, () -> decodeTaskUnchecked(topic, data));
  }

  private ReadyTask decodeTaskUnchecked(String topic, byte[] data) {
    BinaryReader in = body(topic, Kind.READY_TASK, data);
    ReadyTask task = new ReadyTask(in.readString(), in.readString(), in.readInt(), in.readString(), readArgs(in, 0),
        in.readInt());
    return finished(in, task);
  }

  /** A ready task's arguments from a graph task's, with each reference replaced by its result's location. */
  public static List<TaskArg> locate(List<Arg> args, java.util.function.Function<String, ResultRef> locations) {
    List<TaskArg> located = new ArrayList<>(args.size());
    for (Arg arg : args) {
      located.add(locate(arg, locations));
    }
    return located;
  }

  private static TaskArg locate(Arg arg, java.util.function.Function<String, ResultRef> locations) {
    if (arg instanceof Arg.Ref) {
      return new TaskArg.Located(locations.apply(((Arg.Ref) arg).key()));
    }
    if (arg instanceof Arg.ListArg) {
      return new TaskArg.ArgList(locate(((Arg.ListArg) arg).items(), locations));
    }
    return new TaskArg.Literal(((Arg.Literal) arg).value());
  }

  private void writeArgs(BinaryWriter out, List<TaskArg> args) {
    if (!args.isEmpty()) {
      out.writeLong(args.size());
      for (TaskArg arg : args) {
        if (arg instanceof TaskArg.Literal) {
          out.writeInt(0);
          values.write(((TaskArg.Literal) arg).value(), out);
        } else if (arg instanceof TaskArg.Located) {
          out.writeInt(1);
          writeRef(out, ((TaskArg.Located) arg).ref());
        } else {
          out.writeInt(2);
          writeArgs(out, ((TaskArg.ArgList) arg).items());
        }
      }
    }
    out.writeLong(0);
  }

  private List<TaskArg> readArgs(BinaryReader in, int depth) {
    if (depth > limits.maxDepth()) {
      throw new MalformedValueException("task arguments nested deeper than " + limits.maxDepth() + " levels");
    }
    List<TaskArg> args = new ArrayList<>();
    for (long count = in.readBlockCount(1); count != 0; count = in.readBlockCount(1)) {
      for (long i = 0; i < count; i++) {
        int branch = in.readInt();
        switch (branch) {
          case 0:
            args.add(new TaskArg.Literal(values.read(in)));
            break;
          case 1:
            args.add(new TaskArg.Located(readRef(in)));
            break;
          case 2:
            args.add(new TaskArg.ArgList(readArgs(in, depth + 1)));
            break;
          default:
            throw new MalformedValueException("unknown task argument branch " + branch);
        }
      }
    }
    return args;
  }

  // --- results topic

  public byte[] encode(String topic, TaskResult result) {
    return encode(topic, result, Long.MAX_VALUE);
  }

  /**
   * Encodes a result, refusing it as soon as it takes more than {@code maxBytes}: a value too large to send is not
   * encoded whole first.
   *
   * @throws dev.weft.value.ValueTooLargeException once the encoding passes {@code maxBytes}
   */
  public byte[] encode(String topic, TaskResult result, long maxBytes) {
    BinaryWriter out = start(topic, Kind.TASK_RESULT).limitedTo(maxBytes);
    out.writeString(result.graphId());
    out.writeString(result.taskKey());
    out.writeInt(result.attempt());
    out.writeString(result.worker());
    out.writeLong(result.durationNanos());
    out.writeInt(result.taskPartition());
    if (result.succeeded()) {
      out.writeInt(0);
      values.write(result.value(), out);
    } else {
      out.writeInt(1);
      writeError(out, result.error());
    }
    return out.toByteArray();
  }

  /**
   * Decodes a result; without {@code withValue}, stops before a successful task's value, which the scheduler never
   * needs (and so never holds).
   */
  public TaskResult decodeResult(String topic, byte[] data, boolean withValue) {
    return refusingAllElse(topic, () -> decodeResultUnchecked(topic, data, withValue));
  }

  private TaskResult decodeResultUnchecked(String topic, byte[] data, boolean withValue) {
    BinaryReader in = body(topic, Kind.TASK_RESULT, data);
    String graphId = in.readString();
    String taskKey = in.readString();
    int attempt = in.readInt();
    String worker = in.readString();
    long duration = in.readLong();
    int taskPartition = in.readInt();
    int branch = in.readInt();
    if (branch == 0) {
      if (!withValue) {
        return new TaskResult(graphId, taskKey, attempt, worker, duration, taskPartition, true, null, false, null);
      }
      return finished(in, new TaskResult(graphId, taskKey, attempt, worker, duration, taskPartition, true,
          values.read(in), true, null));
    }
    if (branch == 1) {
      return finished(in, new TaskResult(graphId, taskKey, attempt, worker, duration, taskPartition, false, null,
          false, readError(in)));
    }
    throw new MalformedValueException("unknown task outcome " + branch);
  }

  // --- events topic

  public byte[] encode(String topic, GraphEvent event) {
    BinaryWriter out = start(topic, Kind.GRAPH_EVENT);
    out.writeString(event.graphId());
    out.writeInt(event.type().ordinal());
    writeOptional(out, event.taskKey());
    writeOptional(out, event.function());
    writeOptional(out, event.message());
    out.writeInt(event.done());
    out.writeInt(event.total());
    writeRefs(out, event.locations());
    if (event.error() == null) {
      out.writeInt(0);
    } else {
      out.writeInt(1);
      writeError(out, event.error());
    }
    writeOptional(out, event.worker());
    out.writeLong(event.durationNanos());
    if (!event.problems().isEmpty()) {
      out.writeLong(event.problems().size());
      for (GraphValidationException.Problem problem : event.problems()) {
        out.writeString(problem.kind().name());
        out.writeStrings(problem.keys());
        out.writeString(problem.message());
      }
    }
    out.writeLong(0);
    out.writeInt(event.outputs());
    out.writeInt(event.attempts());
    if (!event.functions().isEmpty()) {
      out.writeLong(event.functions().size());
      for (GraphEvent.FunctionProgress progress : event.functions()) {
        out.writeString(progress.function());
        out.writeInt(progress.done());
        out.writeInt(progress.total());
      }
    }
    out.writeLong(0);
    return out.toByteArray();
  }

  public GraphEvent decodeEvent(String topic, byte[] data) {
    return refusingAllElse(topic, () -> decodeEventUnchecked(topic, data));
  }

  private GraphEvent decodeEventUnchecked(String topic, byte[] data) {
    BinaryReader in = body(topic, Kind.GRAPH_EVENT, data);
    String graphId = in.readString();
    int type = in.readInt();
    if (type < 0 || type >= GraphEvent.Type.values().length) {
      throw new MalformedValueException("unknown graph event type " + type);
    }
    GraphEvent event = new GraphEvent(graphId, GraphEvent.Type.values()[type], readOptional(in), readOptional(in),
        readOptional(in), in.readInt(), in.readInt(), readRefs(in),
        optionalBranch(in, "error") ? readError(in) : null, readOptional(in), in.readLong(), readProblems(in),
        in.readInt(), in.readInt(), readFunctionProgress(in));
    return finished(in, event);
  }

  private static List<GraphEvent.FunctionProgress> readFunctionProgress(BinaryReader in) {
    List<GraphEvent.FunctionProgress> functions = new ArrayList<>();
    for (long count = in.readBlockCount(3); count != 0; count = in.readBlockCount(3)) {
      for (long i = 0; i < count; i++) {
        functions.add(new GraphEvent.FunctionProgress(in.readString(), in.readInt(), in.readInt()));
      }
    }
    return functions;
  }

  private static List<GraphValidationException.Problem> readProblems(BinaryReader in) {
    List<GraphValidationException.Problem> problems = new ArrayList<>();
    for (long count = in.readBlockCount(1); count != 0; count = in.readBlockCount(1)) {
      for (long i = 0; i < count; i++) {
        String kind = in.readString();
        GraphValidationException.Kind known;
        try {
          known = GraphValidationException.Kind.valueOf(kind);
        } catch (IllegalArgumentException e) {
          known = GraphValidationException.Kind.UNSUPPORTED_FORMAT; // a kind of a newer Weft: keep its message
        }
        problems.add(new GraphValidationException.Problem(known, in.readStrings(), in.readString()));
      }
    }
    return problems;
  }

  // --- workers topic

  public byte[] encode(String topic, WorkerReport report) {
    BinaryWriter out = start(topic, Kind.WORKER_REPORT);
    out.writeString(report.worker());
    out.writeString(report.pool());
    out.writeString(report.host());
    out.writeLong(report.pid());
    out.writeLong(report.time());
    out.writeLong(report.startedAt());
    out.writeInt(report.threads());
    out.writeLong(report.tasksRun());
    out.writeLong(report.tasksFailed());
    out.writeLong(report.cacheBytes());
    out.writeLong(report.cacheHits());
    out.writeLong(report.cacheMisses());
    out.writeLong(report.heapUsed());
    out.writeLong(report.heapMax());
    if (!report.partitions().isEmpty()) {
      out.writeLong(report.partitions().size());
      report.partitions().forEach(out::writeInt);
    }
    out.writeLong(0);
    if (!report.running().isEmpty()) {
      out.writeLong(report.running().size());
      for (WorkerReport.RunningTask task : report.running()) {
        out.writeString(task.graphId());
        out.writeString(task.taskKey());
        out.writeString(task.function());
        out.writeInt(task.thread());
        out.writeLong(task.startMicros());
      }
    }
    out.writeLong(0);
    if (!report.finished().isEmpty()) {
      out.writeLong(report.finished().size());
      for (WorkerReport.TaskSpan span : report.finished()) {
        out.writeString(span.graphId());
        out.writeString(span.taskKey());
        out.writeString(span.function());
        out.writeInt(span.thread());
        out.writeLong(span.startMicros());
        out.writeLong(span.durationMicros());
        out.writeLong(span.bytesIn());
        out.writeLong(span.bytesOut());
        out.writeBoolean(span.succeeded());
        if (span.result() == null) {
          out.writeInt(0);
        } else {
          out.writeInt(1);
          writeRef(out, span.result());
        }
      }
    }
    out.writeLong(0);
    out.writeLong(report.finishedNotListed());
    out.writeBoolean(report.leaving());
    return out.toByteArray();
  }

  public WorkerReport decodeWorkerReport(String topic, byte[] data) {
    return refusingAllElse(topic, () -> decodeWorkerReportUnchecked(topic, data));
  }

  private WorkerReport decodeWorkerReportUnchecked(String topic, byte[] data) {
    BinaryReader in = body(topic, Kind.WORKER_REPORT, data);
    String worker = in.readString();
    String pool = in.readString();
    String host = in.readString();
    long pid = in.readLong();
    long time = in.readLong();
    long startedAt = in.readLong();
    int threads = in.readInt();
    long tasksRun = in.readLong();
    long tasksFailed = in.readLong();
    long cacheBytes = in.readLong();
    long cacheHits = in.readLong();
    long cacheMisses = in.readLong();
    long heapUsed = in.readLong();
    long heapMax = in.readLong();
    List<Integer> partitions = new ArrayList<>();
    for (long count = in.readBlockCount(1); count != 0; count = in.readBlockCount(1)) {
      for (long i = 0; i < count; i++) {
        partitions.add(in.readInt());
      }
    }
    List<WorkerReport.RunningTask> running = new ArrayList<>();
    for (long count = in.readBlockCount(5); count != 0; count = in.readBlockCount(5)) {
      for (long i = 0; i < count; i++) {
        running.add(new WorkerReport.RunningTask(in.readString(), in.readString(), in.readString(), in.readInt(),
            in.readLong()));
      }
    }
    List<WorkerReport.TaskSpan> finished = new ArrayList<>();
    for (long count = in.readBlockCount(10); count != 0; count = in.readBlockCount(10)) {
      for (long i = 0; i < count; i++) {
        finished.add(new WorkerReport.TaskSpan(in.readString(), in.readString(), in.readString(), in.readInt(),
            in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readBoolean(),
            optionalBranch(in, "a task's result location") ? readRef(in) : null));
      }
    }
    WorkerReport report = new WorkerReport(worker, pool, host, pid, time, startedAt, threads, tasksRun, tasksFailed,
        cacheBytes, cacheHits, cacheMisses, heapUsed, heapMax, partitions, running, finished, in.readLong(),
        in.readBoolean());
    return finished(in, report);
  }

  // --- pieces

  private static <T> T finished(BinaryReader in, T record) {
    if (in.remaining() != 0) {
      throw new MalformedValueException(in.remaining() + " bytes after the end of a " + record.getClass()
          .getSimpleName());
    }
    return record;
  }

  private static void writeRef(BinaryWriter out, ResultRef ref) {
    out.writeInt(ref.partition());
    out.writeLong(ref.offset());
  }

  private static ResultRef readRef(BinaryReader in) {
    return new ResultRef(in.readInt(), in.readLong());
  }

  private static void writeRefs(BinaryWriter out, Map<String, ResultRef> refs) {
    if (!refs.isEmpty()) {
      out.writeLong(refs.size());
      refs.forEach((key, ref) -> {
        out.writeString(key);
        writeRef(out, ref);
      });
    }
    out.writeLong(0);
  }

  private static Map<String, ResultRef> readRefs(BinaryReader in) {
    Map<String, ResultRef> refs = new LinkedHashMap<>();
    for (long count = in.readBlockCount(1); count != 0; count = in.readBlockCount(1)) {
      for (long i = 0; i < count; i++) {
        refs.put(in.readString(), readRef(in));
      }
    }
    return refs;
  }

  private static void writeError(BinaryWriter out, TaskError error) {
    out.writeString(error.type());
    writeOptional(out, error.message());
    out.writeString(error.stackTrace());
    out.writeBoolean(error.retriable());
  }

  private static TaskError readError(BinaryReader in) {
    return new TaskError(in.readString(), readOptional(in), in.readString(), in.readBoolean());
  }

  private static void writeOptional(BinaryWriter out, String text) {
    if (text == null) {
      out.writeInt(0);
    } else {
      out.writeInt(1);
      out.writeString(text);
    }
  }

  private static String readOptional(BinaryReader in) {
    return optionalBranch(in, "an optional string") ? in.readString() : null;
  }

  private static boolean optionalBranch(BinaryReader in, String what) {
    int branch = in.readInt();
    if (branch != 0 && branch != 1) {
      throw new MalformedValueException("unknown branch " + branch + " of " + what);
    }
    return branch == 1;
  }
}
