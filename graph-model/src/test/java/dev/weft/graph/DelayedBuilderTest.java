package dev.weft.graph;

import static dev.weft.function.builtin.BuiltinFunctions.ADD;
import static dev.weft.function.builtin.BuiltinFunctions.INC;
import static dev.weft.function.builtin.BuiltinFunctions.SUM;
import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DelayedBuilderTest {

  @Test
  void buildsTheSameGraphAsTheDictLikeBuilder() {
    DelayedBuilder b = new DelayedBuilder();
    Delayed<Number> x = b.call(INC, 1L);
    Delayed<Number> y = b.call(INC, x);
    Delayed<Object> z = b.call(ADD, x, 10L);
    Delayed<Number> total = b.key("total").call(SUM, List.of(x, y, z));
    Graph expected = Graph.builder()
        .task("inc-0", "inc", 1L)
        .task("inc-1", "inc", ref("inc-0"))
        .task("add-2", "add", ref("inc-0"), 10L)
        .task("total", "sum", List.of(ref("inc-0"), ref("inc-1"), ref("add-2")))
        .outputs("total")
        .build();
    assertEquals(expected, total.graph());
    assertEquals("total", total.key());
  }

  @Test
  void resultsOfAnotherBuilderAreRefused() {
    Delayed<Number> elsewhere = new DelayedBuilder().call(INC, 1L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DelayedBuilder().call(INC, elsewhere));
    assertEquals("Delayed[inc-0] was made by another DelayedBuilder", e.getMessage());
  }
}
