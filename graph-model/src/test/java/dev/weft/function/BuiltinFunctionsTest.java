package dev.weft.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltinFunctionsTest {
  private final FunctionRegistry registry = FunctionRegistry.global();

  private Object call(String function, Object... args) throws Exception {
    return registry.require(function).apply(args);
  }

  @Test
  void integralArithmeticIsOnLongsAndRefusesOverflow() throws Exception {
    assertEquals(3L, call("add", 1, 2L));
    assertEquals(2L, call("inc", 1));
    assertEquals(-4L, call("neg", 4L));
    assertEquals(12L, call("mul", 3L, 4));
    assertEquals(-3L, call("floordiv", -5L, 2L));
    assertThrows(ArithmeticException.class, () -> call("add", Long.MAX_VALUE, 1L));
  }

  @Test
  void floatingArithmeticIsOnDoubles() throws Exception {
    assertEquals(3.5, call("add", 1.5, 2L));
    assertEquals(2.5, call("div", 5L, 2L));
    assertEquals(4.0, call("sum", List.of(1L, 1.5f, 1.5)));
  }

  @Test
  void aggregatesTakeAListOrSeveralArguments() throws Exception {
    assertEquals(6L, call("sum", List.of(1L, 2L, 3L)));
    assertEquals(6L, call("sum", 1L, 2L, 3L));
    assertEquals(0L, call("sum", List.of()));
    assertEquals(9L, call("max", List.of(3L, 9L, 2L)));
    assertEquals(1.5, call("min", 2L, 1.5));
    assertEquals("max of an empty list",
        assertThrows(IllegalArgumentException.class, () -> call("max", List.of())).getMessage());
  }

  @Test
  void collectionsAndStrings() throws Exception {
    assertEquals(List.of(0L, 1L, 2L), call("range", 3L));
    assertEquals(3L, call("length", "abc"));
    assertEquals(5L, call("length", ByteBuffer.allocate(5)));
    assertEquals("ab", call("concat", "a", "b"));
    assertEquals("B", call("getitem", List.of("a", "B"), -1L));
    assertEquals(7L, call("getitem", Map.of("k", 7L), "k"));
    assertEquals("HI", call("upper", "hi"));
  }

  @Test
  void wrongArgumentsAreNamed() {
    assertEquals("inc takes 1 argument, got 2",
        assertThrows(IllegalArgumentException.class, () -> call("inc", 1L, 2L)).getMessage());
    assertEquals("add needs numbers, got String x",
        assertThrows(IllegalArgumentException.class, () -> call("add", "x", 1L)).getMessage());
  }
}
