package dev.weft.function.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskContext;
import dev.weft.function.UnknownFunctionException;
import dev.weft.value.ValueCodec;
import dev.weft.value.internal.BinaryWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class TaskInvocationTest {
  private static final ResultLimit FRAME = ResultLimit.ofSetting("processes.max.frame.bytes", 100,
      "a frame to the caller");

  private final ValueCodec values = new ValueCodec();
  private final FunctionRegistry functions = new FunctionRegistry()
      .register("twice", args -> 2 * (Long) args[0])
      .register("scheduler", args -> TaskContext.current().scheduler())
      .register("bytes", args -> ByteBuffer.allocate(((Long) args[0]).intValue()))
      .register("object", args -> new Object())
      .register("throws", args -> {
        throw new ArithmeticException("/ by zero");
      })
      .register("errs", args -> {
        throw new AssertionError("an Error, not an Exception");
      });
  private final AtomicInteger encodings = new AtomicInteger();

  private TaskInvocation invoke(String function, Object... args) {
    TaskInvocation run = new TaskInvocation();
    run.invoke(FRAME.context("processes", null), functions, function, args);
    return run;
  }

  /** Encodes the run's result as the process pool's worker does: into a writer bounded by the limit. */
  private LongFunction<BinaryWriter> encodingOf(TaskInvocation run) {
    return maxBytes -> {
      encodings.incrementAndGet();
      BinaryWriter out = new BinaryWriter(16).limitedTo(maxBytes);
      values.write(run.result(), out);
      return out;
    };
  }

  @Test
  void aFunctionThatReturnsHasItsResultEncodedAndTimed() {
    TaskInvocation run = invoke("twice", 21L);
    assertFalse(run.isFailed());
    assertEquals(42L, run.result());
    assertTrue(run.startNanos() != 0 && run.durationNanos() >= 0, run.startNanos() + " " + run.endNanos());
    BinaryWriter encoded = run.encodeResult("t", FRAME, encodingOf(run), BinaryWriter::length);
    assertEquals(42L, values.decode(encoded.toByteArray()));
    assertFalse(run.isFailed());
  }

  @Test
  void theFunctionRunsInTheContextOfItsLimit() {
    assertEquals("processes", invoke("scheduler").result());
    assertNull(TaskContext.current(), "the context ends with the call");
  }

  @Test
  void whatTheFunctionThrowsFailsTheInvocationAndIsNotEncoded() {
    TaskInvocation run = invoke("throws");
    assertInstanceOf(ArithmeticException.class, run.error());
    assertEquals("/ by zero", run.error().getMessage());
    assertNull(run.encodeResult("t", FRAME, encodingOf(run), BinaryWriter::length));
    assertEquals(0, encodings.get());

    TaskInvocation erred = invoke("errs");
    assertInstanceOf(AssertionError.class, erred.error());
  }

  @Test
  void anUnknownFunctionFailsTheInvocationNamingWhatIsLoaded() {
    TaskInvocation run = invoke("nope", 1L);
    UnknownFunctionException unknown = assertInstanceOf(UnknownFunctionException.class, run.error());
    assertTrue(unknown.getMessage().startsWith("unknown function 'nope': no loaded module registers it"),
        unknown.getMessage());
    assertEquals(0, run.durationNanos(), "never called");
    assertNull(run.encodeResult("t", FRAME, encodingOf(run), BinaryWriter::length));
  }

  @Test
  void aResultOverTheLimitIsRefusedAsItsEncodingPassesIt() {
    TaskInvocation run = invoke("bytes", 1000L);
    assertNull(run.encodeResult("big", FRAME, encodingOf(run), BinaryWriter::length));
    assertEquals("the result of task 'big' cannot be sent: encoded, it is over 100 bytes, the most a frame to the "
        + "caller takes (processes.max.frame.bytes is 100)", run.error().getMessage());
    assertInstanceOf(IllegalArgumentException.class, run.error());
  }

  @Test
  void anEncodingThatEndsOverTheLimitIsRefusedInTheSameWords() {
    // An encoder that ignores its bound (what it writes around the value, say) is caught by the last check.
    TaskInvocation run = invoke("bytes", 1000L);
    assertNull(run.encodeResult("big", FRAME, maxBytes -> new byte[101], encoded -> encoded.length));
    assertEquals("the result of task 'big' cannot be sent: encoded, it is over 100 bytes, the most a frame to the "
        + "caller takes (processes.max.frame.bytes is 100)", run.error().getMessage());

    TaskInvocation fits = invoke("bytes", 1000L);
    byte[] exactly = new byte[100];
    assertSame(exactly, fits.encodeResult("big", FRAME, maxBytes -> exactly, encoded -> encoded.length));
  }

  @Test
  void aResultThatIsNotAValueIsRefusedSayingWhy() {
    TaskInvocation run = invoke("object");
    assertNull(run.encodeResult("odd", FRAME, encodingOf(run), BinaryWriter::length));
    assertTrue(run.error().getMessage().startsWith("the result of task 'odd' cannot be sent: cannot encode value"),
        run.error().getMessage());
    assertTrue(run.error().getMessage().endsWith("a java.lang.Object is not a Weft value"), run.error().getMessage());
  }

  @Test
  void whatIsNotTheResultsFaultPropagatesFromTheEncoding() {
    TaskInvocation run = invoke("twice", 1L);
    UncheckedIOException away = new UncheckedIOException(new java.io.IOException("the registry is away"));
    assertSame(away, assertThrows(UncheckedIOException.class, () -> run.encodeResult("t", FRAME, maxBytes -> {
      throw away;
    }, encoded -> 0)));
    assertFalse(run.isFailed());
  }

  @Test
  void aTopicsLimitNamesTheTopicAndWhatSetsIt() {
    ResultLimit topic = ResultLimit.ofTopic("weft.results", 50, "max.message.bytes of weft.results is 54");
    TaskInvocation run = invoke("bytes", 1000L);
    assertNull(run.encodeResult("b", topic, encodingOf(run), BinaryWriter::length));
    assertEquals("the result of task 'b' cannot be sent: encoded, it is over 50 bytes, the most weft.results takes "
        + "(max.message.bytes of weft.results is 54)", run.error().getMessage());
    // A function that knows its result's size refuses it before building it, naming the same setting.
    TaskInvocation early = new TaskInvocation();
    early.invoke(topic.context("broker", null), args -> {
      TaskContext.refuseResultsLargerThanCarried("bytes(1000)", 1000, 1000);
      return null;
    }, new Object[0], false);
    assertEquals("bytes(1000) would be at least 1000 bytes encoded, over the 50 that the broker scheduler carries "
        + "(max.message.bytes of weft.results is 54)", early.error().getMessage());
  }
}
