package dev.weft.value;

/**
 * Bounds on what decoding may allocate, so that a hostile or corrupt message costs at most a small multiple of its
 * own size.
 *
 * <p>Lengths and item counts are always checked against the bytes that remain (every item of Weft's own schemas takes
 * at least one byte), so a message cannot claim more than it holds. For user record schemas, where an item can take
 * no bytes at all (an array of nulls), {@code maxCollectionItems} bounds the items of one decode instead.
 *
 * @param maxDepth nesting of lists, maps and records
 * @param maxCollectionItems items of all arrays and maps of one decode together
 */
public record DecodeLimits(int maxDepth, long maxCollectionItems) {
  /** 64 levels, 16 million items. */
  public static final DecodeLimits DEFAULT = new DecodeLimits(64, 16L << 20);

  public DecodeLimits {
    if (maxDepth < 1 || maxCollectionItems < 0) {
      throw new IllegalArgumentException("decode limits must be positive: depth " + maxDepth + ", items "
          + maxCollectionItems);
    }
  }
}
