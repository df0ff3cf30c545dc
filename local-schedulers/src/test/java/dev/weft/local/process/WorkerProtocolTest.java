package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.avro.Value;
import dev.weft.value.DecodeLimits;
import dev.weft.value.RecordSchemas;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryReader;
import dev.weft.value.internal.BinaryWriter;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/** The hand-written protocol codec writes exactly what worker-protocol.avsc describes. */
class WorkerProtocolTest {
  static {
    dev.weft.graph.codec.GeneratedClasses.trust();
  }

  private final ValueCodec values = new ValueCodec();

  private static Schema protocol() throws Exception {
    Schema.Parser parser = new Schema.Parser();
    parser.parse(Value.getClassSchema().toString());
    try (InputStream in = WorkerProtocol.class.getResourceAsStream("worker-protocol.avsc")) {
      return parser.parse(in);
    }
  }

  private static GenericRecord readWithAvro(BinaryWriter out, Schema union) throws Exception {
    return (GenericRecord) new GenericDatumReader<>(union).read(null,
        DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  @Test
  void runTaskMatchesTheSchemaAndRoundTrips() throws Exception {
    BinaryWriter out = new BinaryWriter();
    Object[] args = {1L, "two", List.of(3.0d), ByteBuffer.wrap(new byte[] {4})};
    WorkerProtocol.writeRunTask(out, values, 42, "key", "add", args);
    Schema toWorker = Schema.createUnion(protocol().getTypes().get(0));
    GenericRecord record = readWithAvro(out, toWorker);
    assertEquals("RunTask", record.getSchema().getName());
    assertEquals(42L, record.get("id"));
    assertEquals("add", record.get("function").toString());
    assertEquals(4, ((List<?>) record.get("args")).size());

    WorkerProtocol.RunTask task = WorkerProtocol.readRunTask(new BinaryReader(out.toByteArray()), values);
    assertEquals(42, task.id());
    assertArrayEquals(args, task.args());
  }

  @Test
  void aTaskWhoseArgumentsCannotBeReadIsNamedByItsIdSoThatItFailsAlone() {
    Object deep = List.of();
    for (int i = 0; i < 70; i++) {
      deep = List.of(deep);
    }
    BinaryWriter out = new BinaryWriter();
    ValueCodec generous = new ValueCodec(new DecodeLimits(100, 1_000), RecordSchemas.embedded());
    WorkerProtocol.writeRunTask(out, generous, 7, "deep", "identity", new Object[] {deep});
    WorkerProtocol.UnreadableArguments e = assertThrows(WorkerProtocol.UnreadableArguments.class,
        () -> WorkerProtocol.readRunTask(new BinaryReader(out.toByteArray()), values));
    assertEquals(7, e.id);
    assertEquals("the arguments of task 'deep' cannot be read: value nested deeper than 64 levels", e.getMessage());
  }

  @Test
  void repliesMatchTheSchemaAndRoundTrip() throws Exception {
    Schema fromWorker = Schema.createUnion(protocol().getTypes().subList(1, 4));
    BinaryWriter hello = new BinaryWriter();
    List<String> signatures = List.of("(any, any) -> any", "(number) -> number", "(any...) -> number");
    WorkerProtocol.writeHello(hello, 3, 1234, List.of("builtins"), List.of("add", "inc", "sum"), signatures);
    assertEquals(List.of("add", "inc", "sum").toString(),
        readWithAvro(hello, fromWorker).get("functions").toString());
    assertEquals(signatures.toString(), readWithAvro(hello, fromWorker).get("signatures").toString());
    assertEquals(new WorkerProtocol.Hello(3, 1234, List.of("builtins"), List.of("add", "inc", "sum"), signatures),
        WorkerProtocol.readFromWorker(new BinaryReader(hello.toByteArray()), values));

    BinaryWriter done = new BinaryWriter();
    WorkerProtocol.writeTaskDone(done, values, 7, "result", 10, 20);
    assertEquals("TaskDone", readWithAvro(done, fromWorker).getSchema().getName());
    WorkerProtocol.TaskDone taskDone = (WorkerProtocol.TaskDone) WorkerProtocol.readFromWorker(
        new BinaryReader(done.toByteArray()), values);
    assertEquals("result", taskDone.value());

    BinaryWriter failed = new BinaryWriter();
    WorkerProtocol.writeTaskFailed(failed, 8, "java.lang.IllegalStateException", null, "trace");
    GenericRecord failure = readWithAvro(failed, fromWorker);
    assertNull(failure.get("message"));
    assertEquals(new WorkerProtocol.TaskFailed(8, "java.lang.IllegalStateException", null, "trace"),
        WorkerProtocol.readFromWorker(new BinaryReader(failed.toByteArray()), values));
  }

  /** The locality messages, in the unions the schema's order gives: caller [RunTask, Fetch, Drop], worker [.., Fetched]. */
  @Test
  void localityMessagesMatchTheSchemaAndRoundTrip() throws Exception {
    List<Schema> types = protocol().getTypes();
    Schema toWorker = Schema.createUnion(types.get(0), types.get(4), types.get(5));
    Schema fromWorker = Schema.createUnion(types.get(1), types.get(2), types.get(3), types.get(6), types.get(7));

    BinaryWriter run = new BinaryWriter();
    WorkerProtocol.writeRunTask(run, values, 9, "reader", "length", new Object[] {null, 2L}, 65_536, new int[] {0},
        new long[] {4});
    GenericRecord record = readWithAvro(run, toWorker);
    assertEquals(65_536L, record.get("keepAbove"));
    assertEquals("[{\"index\": 0, \"handle\": 4}]", record.get("held").toString());
    WorkerProtocol.RunTask task = WorkerProtocol.readRunTask(new BinaryReader(run.toByteArray()), values);
    assertArrayEquals(new int[] {0}, task.heldIndexes());
    assertArrayEquals(new long[] {4}, task.heldHandles());
    assertArrayEquals(new Object[] {null, 2L}, task.args());

    BinaryWriter fetch = new BinaryWriter();
    WorkerProtocol.writeFetch(fetch, 4);
    assertEquals("Fetch", readWithAvro(fetch, toWorker).getSchema().getName());
    assertEquals(new WorkerProtocol.Fetch(4), WorkerProtocol.readFromCaller(new BinaryReader(fetch.toByteArray()),
        values));
    BinaryWriter drop = new BinaryWriter();
    WorkerProtocol.writeDrop(drop, new long[] {4, 5});
    assertEquals("[4, 5]", readWithAvro(drop, toWorker).get("handles").toString());
    assertArrayEquals(new long[] {4, 5},
        ((WorkerProtocol.Drop) WorkerProtocol.readFromCaller(new BinaryReader(drop.toByteArray()), values)).handles());

    BinaryWriter held = new BinaryWriter();
    WorkerProtocol.writeTaskHeld(held, 4, 1 << 20, 10, 20);
    assertEquals("TaskHeld", readWithAvro(held, fromWorker).getSchema().getName());
    assertEquals(new WorkerProtocol.TaskHeld(4, 1 << 20, 10, 20),
        WorkerProtocol.readFromWorker(new BinaryReader(held.toByteArray()), values));
    BinaryWriter fetched = new BinaryWriter();
    WorkerProtocol.writeFetched(fetched, values, 4, "value", null);
    assertEquals("Fetched", readWithAvro(fetched, fromWorker).getSchema().getName());
    assertEquals(new WorkerProtocol.Fetched(4, "value", null),
        WorkerProtocol.readFromWorker(new BinaryReader(fetched.toByteArray()), values));
  }
}
