package dev.weft.graph.optimize;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.Task;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.PartitionFunction;
import dev.weft.function.TaskContext;
import dev.weft.function.builtin.BuiltinFunctions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphOptimizerTest {
  private final FunctionRegistry functions = new FunctionRegistry()
      .install(new BuiltinFunctions()).install(new FusedFunctions());

  @Test
  void aLinearChainBecomesOneTaskUnderItsLastKey() throws Exception {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "mul", ref("a"), 10L)
        .task("c", "add", 5L, ref("b"))
        .build();
    Graph fused = GraphOptimizer.optimize(graph, List.of("c"));
    assertEquals(1, fused.size(), fused.toString());
    Task task = fused.task("c");
    assertEquals(FusedFunctions.FUSED, task.function());
    assertEquals(25L, run(task, List.of()));
  }

  @Test
  void whatIsAskedForReadTwiceOrReadInsideAListIsNotFusedForward() {
    Graph graph = Graph.builder()
        .task("asked", "inc", 1L)
        .task("after-asked", "inc", ref("asked"))
        .task("shared", "inc", 1L)
        .task("reader-1", "inc", ref("shared"))
        .task("reader-2", "inc", ref("shared"))
        .task("listed", "inc", 1L)
        .task("sum", "sum", List.of(ref("listed"), ref("reader-1")))
        .task("pooled", "inc", 1L)
        .task(new Task("other-pool", "inc", List.of(ref("pooled")), 0, 0, "gpu", Map.of()))
        .build();
    List<String> asked = List.of("asked", "after-asked", "reader-2", "sum", "other-pool");
    Graph fused = GraphOptimizer.fuse(graph, asked);
    assertSame(graph, fused, "nothing here may be fused: " + fused);
  }

  @Test
  void anInputOtherThanTheChainStaysAnInput() throws Exception {
    Graph graph = Graph.builder()
        .task("side", "inc", 100L)
        .task("a", "inc", 1L)
        .task("b", "add", ref("side"), ref("a"))
        .task("c", "add", ref("b"), ref("side"))
        .build();
    Graph fused = GraphOptimizer.fuse(graph, List.of("c"));
    // side has two readers: it stays; a -> b is fused, and b -> c.
    assertEquals(List.of("side", "c"), fused.tasks().stream().map(Task::key).toList());
    assertEquals(List.of("side", "side"), fused.task("c").dependencies());
    assertEquals(101L + 2L + 101L, run(fused.task("c"), List.of(101L, 101L)));
  }

  @Test
  void aFailingStepIsNamedWithItsOwnKeyAndFunction() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "div", ref("a"), 0L)
        .task("c", "inc", ref("b"))
        .build();
    Task task = GraphOptimizer.fuse(graph, List.of("c")).task("c");
    FusedStepException failure = assertThrows(FusedStepException.class, () -> run(task, List.of()));
    assertEquals("b", failure.step());
    assertEquals("div", failure.function());
    assertInstanceOf(ArithmeticException.class, failure.getCause(), "what div threw");
    assertTrue(failure.getMessage().startsWith("step 'b' (div) failed: "), failure.getMessage());
  }

  @Test
  void validationChecksTheFunctionsOfFusedSteps() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "no-such-function", ref("a"))
        .task("c", "inc", ref("b"))
        .build();
    Graph fused = GraphOptimizer.fuse(graph, List.of("c"));
    GraphValidationException refused = assertThrows(GraphValidationException.class, () -> fused.validate(functions));
    assertTrue(refused.getMessage().contains("unknown function 'no-such-function' in task 'b'"),
        refused.getMessage());
  }

  @Test
  void partitionFunctionsInAChainStreamEachItemThroughWithNoListBetween() throws Exception {
    List<String> log = new java.util.ArrayList<>();
    PartitionFunction doubling = (leading, downstream) -> new PartitionFunction.Stage() {
      @Override
      public void accept(Object item) throws Exception {
        log.add("double " + item);
        downstream.accept((Long) item * 2);
      }

      @Override
      public Object finish() throws Exception {
        return downstream.finish();
      }
    };
    PartitionFunction summing = (leading, downstream) -> new PartitionFunction.Stage() {
      private long sum = (Long) leading[0];

      @Override
      public void accept(Object item) {
        log.add("add " + item);
        sum += (Long) item;
      }

      @Override
      public Object finish() {
        return sum;
      }
    };
    functions.register("test.double", doubling).register("test.sum-from", summing);
    Graph graph = Graph.builder()
        .task("items", "range", 3L)
        .task("doubled", "test.double", ref("items"))
        .task("total", "test.sum-from", 100L, ref("doubled"))
        .build();
    Task fused = GraphOptimizer.fuse(graph, List.of("total")).task("total");
    assertEquals(106L, run(fused, List.of()));
    assertEquals(List.of("double 0", "add 0", "double 1", "add 2", "double 2", "add 4"), log);
    assertEquals(List.of(0L, 2L, 4L), doubling.apply(new Object[] {List.of(0L, 1L, 2L)}), "called alone");
  }

  @Test
  void aDeclaredOutputAndAStepOfOtherRetriesAreNotFusedForward() {
    Graph declared = Graph.of(null, List.of(Task.of("a", "inc", 1L), Task.of("b", "inc", ref("a"))), List.of("a", "b"));
    assertSame(declared, GraphOptimizer.fuse(declared, List.of("b")));
    Graph retried = Graph.builder()
        .task("write", "inc", 1L)
        .task(Task.of("after", "inc", ref("write")).withRetries(3))
        .build();
    assertSame(retried, GraphOptimizer.fuse(retried, List.of("after")), "a retry would run the write again");
  }

  @Test
  void aStageThatReducesEndsTheStreamTheStepAfterItReadsItsResult() throws Exception {
    PartitionFunction counting = new PartitionFunction() {
      @Override
      public Stage open(Object[] leading, Stage downstream) {
        return new Stage() {
          private long count;

          @Override
          public void accept(Object item) {
            count++;
          }

          @Override
          public Object finish() {
            return List.of(count, count);
          }
        };
      }

      @Override
      public boolean passesItems() {
        return false;
      }
    };
    PartitionFunction incrementing = (leading, downstream) -> new PartitionFunction.Stage() {
      @Override
      public void accept(Object item) throws Exception {
        downstream.accept((Long) item + 1);
      }

      @Override
      public Object finish() throws Exception {
        return downstream.finish();
      }
    };
    functions.register("test.count-twice", counting).register("test.inc-each", incrementing);
    Graph graph = Graph.builder()
        .task("items", "range", 5L)
        .task("counted", "test.count-twice", ref("items"))
        .task("incremented", "test.inc-each", ref("counted"))
        .build();
    Task fused = GraphOptimizer.fuse(graph, List.of("incremented")).task("incremented");
    assertEquals(List.of(6L, 6L), run(fused, List.of()), "the count's result, each item incremented");
  }

  @Test
  void aMalformedFusedTaskIsRefusedNamingIt() {
    Graph graph = Graph.builder().task("bad", FusedFunctions.FUSED, List.of(Map.of("key", "x")), 1L).build();
    GraphValidationException refused = assertThrows(GraphValidationException.class, () -> graph.validate(functions));
    assertTrue(refused.getMessage().contains("fused task 'bad' is malformed"), refused.getMessage());
  }

  /** Runs a fused task with the values of its references, in the order they occur. */
  private Object run(Task task, List<Object> referenced) throws Exception {
    Object[] args = new Object[task.args().size()];
    int next = 0;
    for (int i = 0; i < args.length; i++) {
      Arg arg = task.args().get(i);
      args[i] = arg instanceof Arg.Literal literal ? literal.value() : referenced.get(next++);
    }
    return new TaskContext("sync", Long.MAX_VALUE, null, functions).call(functions.require(task.function()), args);
  }
}
