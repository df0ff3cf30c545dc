package dev.weft.local;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.graph.Graph;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.scheduler.Weft;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SyncSchedulerTest {
  private final FunctionRegistry registry = new FunctionRegistry().install(new dev.weft.function.builtin
      .BuiltinFunctions());

  @Test
  void tasksRunInTheCallersThreadUnderTheCompute() {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    AtomicReference<StackTraceElement[]> stack = new AtomicReference<>();
    registry.register("where", args -> {
      ranOn.set(Thread.currentThread());
      stack.set(new Throwable().getStackTrace());
      return 1L;
    });
    Graph graph = Graph.builder().task("w", "where").build();
    Weft.compute(graph, Schedulers.sync().registry(registry));
    assertSame(Thread.currentThread(), ranOn.get());
    // What a debugger shows at a breakpoint in the task: this test's frames below the task's.
    assertTrue(Arrays.stream(stack.get()).anyMatch(f -> f.getMethodName().equals(
        "tasksRunInTheCallersThreadUnderTheCompute")));
  }

  @Test
  void theTasksOwnExceptionIsTheCause() {
    IllegalArgumentException original = new IllegalArgumentException("bad input");
    registry.register("boom", args -> {
      throw original;
    });
    Graph graph = Graph.builder().task("a", "inc", 1L).task("b", "boom", ref("a")).build();
    TaskFailedException failure = assertThrows(TaskFailedException.class,
        () -> Weft.compute(graph, Schedulers.sync().registry(registry)));
    assertSame(original, failure.getCause());
    assertEquals("task 'b' (function boom) failed: java.lang.IllegalArgumentException: bad input",
        failure.getMessage());
  }

  @Test
  void errorsOfTasksAreCaughtAsFailures() {
    registry.register("overflow", args -> {
      throw new StackOverflowError("deep");
    });
    TaskFailedException failure = assertThrows(TaskFailedException.class, () -> Weft.compute(
        Graph.builder().task("x", "overflow").build(), Schedulers.sync().registry(registry)));
    assertEquals(StackOverflowError.class, failure.getCause().getClass());
  }

  @Test
  void programmaticFunctionsNeedNoModule() {
    registry.register("twice", args -> 2 * (Long) args[0]);
    Map<String, Object> values = Weft.compute(Graph.builder().task("t", "twice", 21L).build(),
        ComputeOptions.scheduler("sync").registry(registry));
    assertEquals(Map.of("t", 42L), values);
  }
}
