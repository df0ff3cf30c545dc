package dev.weft.worker.internal;

import dev.weft.broker.protocol.ResultRef;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values of results this worker made or read, by location, least recently used first out, bounded by an estimate of
 * their size (their encoded size). Thread-safe.
 */
public final class ResultCache {
  private final long capacityBytes;
  private final LinkedHashMap<ResultRef, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;
  private long hits;
  private long misses;

  /** A value held, with the encoded size of the result record it came from. */
  public record Entry(Object value, long size) {}

  public ResultCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  public synchronized void put(ResultRef ref, Object value, long size) {
    if (size > capacityBytes) {
      return;
    }
    Entry old = entries.put(ref, new Entry(value, size));
    bytes += size - (old == null ? 0 : old.size());
    var eldest = entries.entrySet().iterator();
    while (bytes > capacityBytes && eldest.hasNext()) {
      Map.Entry<ResultRef, Entry> out = eldest.next();
      bytes -= out.getValue().size();
      eldest.remove();
    }
  }

  /** The cached value (which may be null: a null result), or {@code absent}; counted as a hit or a miss. */
  public Object lookup(ResultRef ref, Object absent) {
    Entry entry = entry(ref);
    return entry == null ? absent : entry.value();
  }

  /** The cached value with its size, or null; counted as a hit or a miss. */
  public synchronized Entry entry(ResultRef ref) {
    Entry entry = entries.get(ref);
    if (entry == null) {
      misses++;
    } else {
      hits++;
    }
    return entry;
  }

  /** What the values held take, as estimated by their encoded size. */
  public synchronized long bytes() {
    return bytes;
  }

  public synchronized long hits() {
    return hits;
  }

  public synchronized long misses() {
    return misses;
  }
}
