package dev.weft.registry.internal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A thread-safe map that keeps its most recently used entries, at most {@code capacity}, each for at most {@code ttl}
 * milliseconds (negative: no expiry).
 */
public final class BoundedCache<K, V> {
  private final Clock clock;
  private final long ttlMillis;
  private final Map<K, Entry<V>> entries;

  private record Entry<V>(V value, long expiresAt) {}

  public BoundedCache(int capacity, long ttlMillis, Clock clock) {
    this.clock = clock;
    this.ttlMillis = ttlMillis;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > capacity;
      }
    };
  }

  /** An unbounded-lifetime cache. */
  public BoundedCache(int capacity) {
    this(capacity, -1, Clock.systemUTC());
  }

  /** The cached value, or null when absent or expired. */
  public synchronized V get(K key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (ttlMillis >= 0 && clock.millis() >= entry.expiresAt) {
      entries.remove(key);
      return null;
    }
    return entry.value;
  }

  public synchronized void put(K key, V value) {
    if (ttlMillis == 0) {
      return;
    }
    entries.put(key, new Entry<>(value, ttlMillis < 0 ? Long.MAX_VALUE : clock.millis() + ttlMillis));
  }

  public synchronized void removeIf(Predicate<K> matches) {
    entries.keySet().removeIf(matches);
  }

  public synchronized void clear() {
    entries.clear();
  }
}
