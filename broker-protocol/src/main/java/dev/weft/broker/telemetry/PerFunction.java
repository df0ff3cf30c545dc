package dev.weft.broker.telemetry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Meters of one kind per (pool, function), made the first time a pair is seen and found after that by two hash
 * lookups: a task never builds tags or a meter id, which the registry's own lookup would. Thread-safe.
 *
 * <p>Tags are bounded. Functions are bounded by what the workers registered, but a forged task may name anything and
 * a graph may name any pool: past {@link #MAX_FUNCTIONS} distinct functions, {@link #MAX_POOLS} pools or
 * {@link #MAX_PAIRS} pairs, a new name is counted under {@link #OTHER}, so that no sender can make a scrape grow
 * without bound. Such names are never stored, and are found under {@link #OTHER} without a lock once that pair exists:
 * a flood of them does not serialise the threads that count.
 *
 * @param <M> what is kept per pair, such as a record of a counter and a timer
 */
public final class PerFunction<M> {
  public static final int MAX_FUNCTIONS = 256;
  public static final int MAX_POOLS = 64;
  /** Pairs made at most (and one more: the pair of {@link #OTHER} and {@link #OTHER}). */
  public static final int MAX_PAIRS = 1024;
  /** The tag of the names past the caps. */
  public static final String OTHER = "other";

  private final BiFunction<String, String, M> make;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, M>> byPool = new ConcurrentHashMap<>();
  /** Function tags admitted so far, over all pools; written under this object's lock. */
  private final Set<String> functions = ConcurrentHashMap.newKeySet();
  private int pairs; // guarded by this
  private volatile boolean poolsFull;
  private volatile boolean functionsFull;
  private volatile boolean pairsFull;

  /** @param make makes the meters of a (pool, function) pair, called once per pair (under this object's lock) */
  public PerFunction(BiFunction<String, String, M> make) {
    this.make = make;
  }

  /** The meters of {@code function} in {@code pool}: of {@link #OTHER} when a cap is reached. */
  public M get(String pool, String function) {
    M meters = lookup(pool, function);
    if (meters != null) {
      return meters;
    }
    String poolTag = poolsFull && !byPool.containsKey(pool) ? OTHER : pool;
    String functionTag = functionsFull && !functions.contains(function) ? OTHER : function;
    meters = lookup(poolTag, functionTag);
    if (meters == null && pairsFull) {
      meters = lookup(poolTag, OTHER);
      if (meters == null) {
        meters = lookup(OTHER, OTHER); // made when the pairs ran out
      }
    }
    return meters != null ? meters : admit(pool, function);
  }

  private M lookup(String pool, String function) {
    ConcurrentHashMap<String, M> ofPool = byPool.get(pool);
    return ofPool == null ? null : ofPool.get(function);
  }

  /** The slow path: a pair not seen yet, or the first of a cap's overflow. */
  private synchronized M admit(String pool, String function) {
    String poolTag = byPool.containsKey(pool) || byPool.size() < MAX_POOLS ? pool : OTHER;
    String functionTag = functions.contains(function) || functions.size() < MAX_FUNCTIONS ? function : OTHER;
    M meters = lookup(poolTag, functionTag);
    if (meters != null) {
      return meters;
    }
    if (pairs >= MAX_PAIRS) {
      pairsFull = true;
      meters = lookup(poolTag, OTHER);
      return meters != null ? meters : make(OTHER, OTHER);
    }
    pairs++;
    meters = make(poolTag, functionTag);
    functions.add(functionTag);
    poolsFull = byPool.size() >= MAX_POOLS;
    functionsFull = functions.size() >= MAX_FUNCTIONS;
    return meters;
  }

  private M make(String pool, String function) {
    return byPool.computeIfAbsent(pool, p -> new ConcurrentHashMap<>())
        .computeIfAbsent(function, f -> make.apply(pool, function));
  }
}
