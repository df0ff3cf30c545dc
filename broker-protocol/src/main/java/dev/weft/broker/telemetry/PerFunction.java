package dev.weft.broker.telemetry;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Meters of one kind per (pool, function), made the first time a pair is seen and found after that by two hash
 * lookups: a task never builds tags or a meter id, which the registry's own lookup would. Thread-safe.
 *
 * <p>Tags are bounded. Functions are bounded by what the workers registered, but a forged task may name anything and
 * a graph may name any pool: past {@link #MAX_FUNCTIONS} distinct functions (or {@link #MAX_POOLS} pools), a new name
 * is counted under {@link #OTHER}, so that no sender can make a scrape grow without bound.
 *
 * @param <M> what is kept per pair, such as a record of a counter and a timer
 */
public final class PerFunction<M> {
  public static final int MAX_FUNCTIONS = 256;
  public static final int MAX_POOLS = 64;
  /** The tag of the names past the caps. */
  public static final String OTHER = "other";

  private final BiFunction<String, String, M> make;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, M>> byPool = new ConcurrentHashMap<>();
  /** Function tags admitted so far, over all pools; guarded by this. */
  private final Set<String> functions = new HashSet<>();

  /** @param make makes the meters of a (pool, function) pair, called once per pair (under this object's lock) */
  public PerFunction(BiFunction<String, String, M> make) {
    this.make = make;
  }

  /** The meters of {@code function} in {@code pool}: of {@link #OTHER} when either is past its cap. */
  public M get(String pool, String function) {
    ConcurrentHashMap<String, M> ofPool = byPool.get(pool);
    if (ofPool != null) {
      M meters = ofPool.get(function);
      if (meters != null) {
        return meters;
      }
    }
    return admit(pool, function);
  }

  /** The slow path: a pair not seen yet, or a name past a cap (which is never stored, so the maps stay bounded). */
  private synchronized M admit(String pool, String function) {
    String poolTag = byPool.containsKey(pool) || byPool.size() < MAX_POOLS ? pool : OTHER;
    String functionTag = functions.contains(function) || functions.size() < MAX_FUNCTIONS ? function : OTHER;
    functions.add(functionTag);
    return byPool.computeIfAbsent(poolTag, p -> new ConcurrentHashMap<>())
        .computeIfAbsent(functionTag, f -> make.apply(poolTag, functionTag));
  }
}
