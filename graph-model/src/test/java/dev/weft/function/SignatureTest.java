package dev.weft.function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignatureTest {
  @Test
  void theTextFormRoundTrips() {
    for (String text : List.of("(long, string) -> string", "(number...) -> number", "() -> any", "(any...) -> any",
        "(boolean, double, bytes, list, map, record) -> record")) {
      assertEquals(text, Signature.parse(text).toString());
    }
    assertEquals(Signature.ANY, Signature.parse("(any...) -> any"));
    assertEquals(2, Signature.parse("(long, long) -> long").arity());
    assertEquals(NamedFunction.ANY_ARITY, Signature.parse("(long...) -> long").arity());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Signature.parse("(int) -> long"));
    assertTrue(bad.getMessage().startsWith("unknown value type 'int'"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Signature.parse("long -> long"));
  }

  @Test
  void argumentsAreCheckedAndConverted() {
    Signature signature = Signature.of(ValueType.ANY, ValueType.LONG, ValueType.DOUBLE, ValueType.NUMBER);
    Object[] converted = signature.apply("f", new Object[] {3, 2, 1.5f});
    assertArrayEquals(new Object[] {3L, 2.0d, 1.5f}, converted);
    Object[] untouched = {3L, 2.0d, 1};
    assertSame(untouched, signature.apply("f", untouched), "nothing to convert: no copy");

    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
        () -> signature.apply("f", new Object[] {"x", 1.0, 1}));
    assertEquals("f: argument 1 must be a long, got String x (signature (long, double, number) -> any)",
        wrong.getMessage());
    assertEquals("f takes 3 arguments, got 1",
        assertThrows(IllegalArgumentException.class, () -> signature.apply("f", new Object[] {1L})).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> signature.apply("f", new Object[] {null, 1.0, 1}))
        .getMessage().contains("got null"), "a typed parameter takes no null");
    assertEquals(1.0d, signature.apply("f", new Object[] {1L, 1L, 1L})[1], "a long where a double is declared");
  }

  @Test
  void resultsAreCheckedAgainstTheDeclaredType() {
    Signature signature = Signature.of(ValueType.STRING, ValueType.ANY);
    assertEquals("ok", signature.checkResult("f", "ok"));
    assertEquals(null, signature.checkResult("f", null));
    IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> signature.checkResult("f", 5L));
    assertEquals("f returned Long 5, but its signature (any) -> string says a string", wrong.getMessage());
  }

  @Test
  void validationRefusesOnlyWhatCannotFit() {
    assertTrue(ValueType.DOUBLE.mayAccept(ValueType.LONG), "a long is widened to a double");
    assertFalse(ValueType.LONG.mayAccept(ValueType.DOUBLE));
    assertTrue(ValueType.LONG.mayAccept(ValueType.NUMBER), "a number may be a long: checked when it runs");
    assertTrue(ValueType.STRING.mayAccept(ValueType.ANY));
    assertFalse(ValueType.STRING.mayAccept(ValueType.LIST));
    assertTrue(ValueType.ANY.accepts(new Object()), "in-process schedulers pass any Java object to any");
    assertTrue(ValueType.BYTES.accepts(ByteBuffer.allocate(1)));
    assertTrue(ValueType.MAP.accepts(Map.of()));
  }

  @Test
  void javaClassesMapToValueTypesOrAreRefusedWithAHint() {
    assertEquals(ValueType.STRING, ValueType.ofClass(String.class));
    assertEquals(ValueType.LIST, ValueType.ofClass(List.class));
    IllegalArgumentException integer = assertThrows(IllegalArgumentException.class,
        () -> ValueType.ofClass(Integer.class));
    assertTrue(integer.getMessage().endsWith("integers are passed as Long"), integer.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ValueType.ofClass(Thread.class));
  }

  @Test
  void typedFunctionsCheckBeforeTheirBodyRuns() throws Exception {
    Fn1<Long, Long> twice = Fn1.of("twice", Long.class, Long.class, x -> 2 * x);
    assertEquals("(long) -> long", twice.signature().toString());
    assertEquals(1, twice.arity());
    assertEquals(6L, twice.body().apply(3), "an int argument is widened to the declared Long");
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> twice.body().apply("3"));
    assertEquals("twice: argument 1 must be a long, got String 3 (signature (long) -> long)", wrong.getMessage());

    Fn2<String, Long, String> repeat = Fn2.of("repeat", String.class, Long.class, String.class,
        (text, times) -> text.repeat(times.intValue()));
    assertEquals("abab", repeat.body().apply("ab", 2));
    IllegalArgumentException badSignature = assertThrows(IllegalArgumentException.class,
        () -> Fn1.of("f", Signature.of(ValueType.ANY, ValueType.ANY, ValueType.ANY), x -> x));
    assertTrue(badSignature.getMessage().contains("takes 1 argument"), badSignature.getMessage());

    FunctionRegistry registry = new FunctionRegistry().register(twice).register("loose", args -> args.length);
    assertEquals(twice.signature(), registry.signature("twice"));
    assertEquals(Signature.ANY, registry.signature("loose"));
  }
}
