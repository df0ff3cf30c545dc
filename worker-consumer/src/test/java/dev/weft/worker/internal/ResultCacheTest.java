package dev.weft.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.weft.broker.protocol.ResultRef;
import org.junit.jupiter.api.Test;

/** The worker's cache of input values: bounded by their encoded size, least recently used out first. */
class ResultCacheTest {
  private static final Object ABSENT = new Object();
  private static final ResultRef A = new ResultRef(0, 1);
  private static final ResultRef B = new ResultRef(0, 2);
  private static final ResultRef C = new ResultRef(1, 1);

  @Test
  void theLeastRecentlyUsedGoesFirstWhenTheBytesPassTheCapacity() {
    ResultCache cache = new ResultCache(100);
    cache.put(A, "a", 40);
    cache.put(B, "b", 40);
    assertEquals("a", cache.lookup(A, ABSENT)); // A is now the more recently used
    cache.put(C, "c", 40);
    assertSame(ABSENT, cache.lookup(B, ABSENT), "B, used least recently, went");
    assertEquals("a", cache.lookup(A, ABSENT));
    assertEquals("c", cache.lookup(C, ABSENT));
    assertEquals(3, cache.hits());
    assertEquals(1, cache.misses());
  }

  @Test
  void aValueLargerThanTheCacheIsNotKeptAndEvictsNothing() {
    ResultCache cache = new ResultCache(100);
    cache.put(A, "a", 60);
    cache.put(B, "huge", 101);
    assertSame(ABSENT, cache.lookup(B, ABSENT));
    assertEquals("a", cache.lookup(A, ABSENT));
  }

  @Test
  void aNullResultIsCachedAndAReplacedEntryCountsItsNewSize() {
    ResultCache cache = new ResultCache(100);
    cache.put(A, null, 10);
    assertNull(cache.lookup(A, ABSENT), "a null result is a value, not an absence");
    cache.put(B, "b", 50);
    cache.put(A, "bigger", 50); // replaces 10 bytes with 50: 100 in all, nothing to evict
    assertEquals("b", cache.lookup(B, ABSENT));
    assertEquals("bigger", cache.lookup(A, ABSENT));
    cache.put(C, "c", 1); // 101: the least recently used (B) goes
    assertSame(ABSENT, cache.lookup(B, ABSENT));
    assertEquals(51, cache.bytes(), "A's 50 and C's 1");
    assertEquals(new ResultCache.Entry("bigger", 50), cache.entry(A), "a value with its size");
  }
}
