package dev.weft.graph.codec;

import dev.weft.avro.Argument;
import dev.weft.avro.ArgumentList;
import dev.weft.avro.GraphSpec;
import dev.weft.avro.TaskRef;
import dev.weft.avro.TaskSpec;
import dev.weft.avro.Value;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.GraphValidationException.Kind;
import dev.weft.graph.GraphValidationException.Problem;
import dev.weft.graph.Task;
import dev.weft.value.DecodeLimits;
import dev.weft.value.MalformedValueException;
import dev.weft.value.RecordEncoding;
import dev.weft.value.RecordSchemas;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import dev.weft.value.internal.BoundedDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The Avro binary encoding of a graph: a {@link GraphSpec} record. This is the form graphs travel in (the broker's
 * graphs topic, graph files with the {@code .avro} extension); {@link GraphJson} is the form people write.
 *
 * <p>Decoding applies {@link DecodeLimits} through a bounded decoder: no length or count in the input is trusted
 * beyond the bytes that follow it. A graph of a {@code formatVersion} this reader does not know is refused.
 *
 * <p>Thread-safe.
 */
public final class GraphCodec {
  /** The version this codec writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  static {
    GeneratedClasses.trust();
  }

  private final DecodeLimits limits;
  private final AvroValues values;

  public GraphCodec() {
    this(DecodeLimits.DEFAULT, RecordSchemas.embedded());
  }

  public GraphCodec(DecodeLimits limits, RecordSchemas schemas) {
    this.limits = limits;
    this.values = new AvroValues(new RecordEncoding(schemas, limits));
  }

  public byte[] encode(Graph graph) {
    GraphSpec spec = toSpec(graph);
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + graph.size() * 32);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<>(GraphSpec.class).write(spec, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a graph.
   *
   * @throws MalformedValueException if the bytes are not a graph
   * @throws GraphValidationException if the graph has duplicate keys or an unknown format version
   */
  public Graph decode(ByteBuffer bytes) {
    BoundedDecoder decoder = new BoundedDecoder(new BinaryReader(bytes), limits, true);
    GraphSpec spec;
    try {
      spec = new SpecificDatumReader<>(GraphSpec.class).read(null, decoder);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException e) {
      throw new MalformedValueException("not an encoded graph: " + e.getMessage(), e);
    }
    if (decoder.reader().remaining() != 0) {
      throw new MalformedValueException("graph encoding has " + decoder.reader().remaining()
          + " bytes after its end");
    }
    return checkedFromSpec(spec);
  }

  public Graph decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  /** Appends the encoding of {@code graph} to {@code out}, as a field of an enclosing record. */
  public void write(Graph graph, BinaryWriter out) {
    byte[] encoded = encode(graph);
    out.writeRaw(encoded, 0, encoded.length);
  }

  /**
   * Reads a graph that starts at the reader's position and leaves the reader after it, as a field of an enclosing
   * record is read.
   *
   * @throws MalformedValueException if the bytes are not a graph
   */
  public Graph read(BinaryReader in) {
    BoundedDecoder decoder = new BoundedDecoder(in, limits, true);
    GraphSpec spec;
    try {
      spec = new SpecificDatumReader<>(GraphSpec.class).read(null, decoder);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException e) {
      throw new MalformedValueException("not an encoded graph: " + e.getMessage(), e);
    }
    return checkedFromSpec(spec);
  }

  /**
   * {@link #fromSpec}, for bytes from outside: whatever goes wrong is the bytes' fault and is said so, as a refusal
   * the caller can answer, never as an exception that would stop the caller's loop.
   */
  private Graph checkedFromSpec(GraphSpec spec) {
    try {
      return fromSpec(spec);
    } catch (MalformedValueException | GraphValidationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MalformedValueException("not a graph this reader can build: " + e, e);
    }
  }

  /** The Avro record of {@code graph}. */
  public GraphSpec toSpec(Graph graph) {
    List<TaskSpec> tasks = new ArrayList<>(graph.size());
    for (Task task : graph.tasks()) {
      List<Argument> args = new ArrayList<>(task.args().size());
      for (Arg arg : task.args()) {
        args.add(toArgument(arg));
      }
      tasks.add(new TaskSpec(task.key(), task.function(), args, task.priority(), task.retries(), task.pool(),
          Map.copyOf(task.resources())));
    }
    return new GraphSpec(FORMAT_VERSION, graph.id(), tasks, new ArrayList<>(graph.declaredOutputs()));
  }

  /**
   * The graph of an Avro record. Equal strings among its keys, references, functions and pools are made one object: the
   * decoder reads each anew, and a graph of a million tasks calling one function, each referenced by another, would
   * otherwise hold two million copies while it runs (about 100 bytes a task).
   */
  public Graph fromSpec(GraphSpec spec) {
    if (spec.getFormatVersion() < 1 || spec.getFormatVersion() > FORMAT_VERSION) {
      throw new GraphValidationException(new Problem(Kind.UNSUPPORTED_FORMAT, List.of(),
          "graph format version " + spec.getFormatVersion() + " is not supported; this reader knows 1 to "
              + FORMAT_VERSION));
    }
    List<Task> tasks = new ArrayList<>(spec.getTasks().size());
    List<Problem> invalid = new ArrayList<>();
    Map<String, String> strings = new HashMap<>();
    for (TaskSpec task : spec.getTasks()) {
      List<Arg> args = new ArrayList<>(task.getArgs().size());
      for (Argument argument : task.getArgs()) {
        args.add(fromArgument(argument, 0, strings));
      }
      try {
        tasks.add(new Task(one(strings, task.getKey()), one(strings, task.getFunction()), args, task.getPriority(),
            task.getRetries(), one(strings, task.getPool()), Map.copyOf(task.getResources())));
      } catch (IllegalArgumentException e) {
        invalid.add(new Problem(Kind.INVALID_TASK, List.of(task.getKey()), e.getMessage()));
      }
    }
    if (!invalid.isEmpty()) {
      throw new GraphValidationException(invalid);
    }
    return Graph.of(spec.getId(), tasks, List.copyOf(spec.getOutputs()));
  }

  private Argument toArgument(Arg arg) {
    if (arg instanceof Arg.Ref) {
      return new Argument(new TaskRef(((Arg.Ref) arg).key()));
    }
    if (arg instanceof Arg.ListArg) {
      List<Argument> items = new ArrayList<>();
      for (Arg item : ((Arg.ListArg) arg).items()) {
        items.add(toArgument(item));
      }
      return new Argument(new ArgumentList(items));
    }
    return new Argument(values.toAvro(((Arg.Literal) arg).value()));
  }

  /** The first of the strings equal to {@code string} met while decoding one graph; null for null. */
  private static String one(Map<String, String> strings, String string) {
    if (string == null) {
      return null;
    }
    String first = strings.putIfAbsent(string, string);
    return first == null ? string : first;
  }

  private Arg fromArgument(Argument argument, int depth, Map<String, String> strings) {
    if (depth > limits.maxDepth()) {
      throw new MalformedValueException("argument nested deeper than " + limits.maxDepth() + " levels");
    }
    Object branch = argument.getArgument();
    if (branch instanceof TaskRef) {
      return Arg.ref(one(strings, ((TaskRef) branch).getKey()));
    }
    if (branch instanceof ArgumentList) {
      List<Arg> items = new ArrayList<>();
      for (Argument item : ((ArgumentList) branch).getItems()) {
        items.add(fromArgument(item, depth + 1, strings));
      }
      return new Arg.ListArg(items);
    }
    return new Arg.Literal(values.fromAvro((Value) branch, depth));
  }
}
