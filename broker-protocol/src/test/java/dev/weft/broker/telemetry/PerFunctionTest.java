package dev.weft.broker.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PerFunctionTest {
  /** What a pair's meters would be: the tags they were made with. */
  private record Made(String pool, String function) {}

  private final List<Made> made = new ArrayList<>();
  private final PerFunction<Made> meters = new PerFunction<>((pool, function) -> {
    Made pair = new Made(pool, function);
    made.add(pair);
    return pair;
  });

  @Test
  void aPairIsMadeOnceAndFoundAfter() {
    Made inc = meters.get("default", "inc");
    assertSame(inc, meters.get("default", "inc"));
    assertEquals(new Made("default", "inc"), inc);
    assertEquals(new Made("gpu", "inc"), meters.get("gpu", "inc"));
    assertEquals(2, made.size());
  }

  @Test
  void functionsPastTheirCapAreCountedAsOther() {
    for (int i = 0; i < PerFunction.MAX_FUNCTIONS; i++) {
      assertEquals("f" + i, meters.get("default", "f" + i).function());
    }
    Made other = meters.get("default", "forged-1");
    assertEquals(new Made("default", PerFunction.OTHER), other);
    assertSame(other, meters.get("default", "forged-2"), "every name past the cap counts under one tag");
    assertEquals("f3", meters.get("default", "f3").function(), "names admitted before keep their own");
    assertEquals(PerFunction.MAX_FUNCTIONS + 1, made.size());
  }

  @Test
  void poolsPastTheirCapAreCountedAsOther() {
    for (int i = 0; i < PerFunction.MAX_POOLS; i++) {
      meters.get("pool-" + i, "inc");
    }
    assertEquals(new Made(PerFunction.OTHER, "inc"), meters.get("forged-pool", "inc"));
    assertSame(meters.get("forged-pool", "inc"), meters.get("another-forged-pool", "inc"));
  }

  @Test
  void pairsAreBoundedWhateverTheSenderNames() {
    Map<Made, Boolean> seen = new IdentityHashMap<>();
    for (int pool = 0; pool < 100; pool++) {
      for (int function = 0; function < 300; function++) {
        Made pair = meters.get("p" + pool, "f" + function);
        seen.put(pair, true);
        assertTrue(pair.pool().equals("p" + pool) || pair.pool().equals(PerFunction.OTHER), pair.toString());
      }
    }
    assertTrue(made.size() <= PerFunction.MAX_PAIRS + 1, made.size() + " pairs made");
    assertEquals(made.size(), seen.size(), "each pair made is the one found");
  }
}
