package dev.weft.stream;

import java.util.Locale;

/** What a consumer of a job's output topics sees of each input record. */
public enum Guarantee {
  /**
   * Each input's outputs once, to a consumer with {@code isolation.level=read_committed}: a batch's outputs, its dead
   * letters and its input offsets are committed in one Kafka transaction.
   */
  EXACTLY_ONCE,
  /**
   * Each input's outputs at least once: outputs are written, then the offsets committed; a crash between the two
   * writes them again. No transaction, so outputs are visible as soon as they are written.
   */
  AT_LEAST_ONCE;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Guarantee named(String name) {
    for (Guarantee guarantee : values()) {
      if (guarantee.jsonName().equalsIgnoreCase(name)) {
        return guarantee;
      }
    }
    throw new IllegalArgumentException("unknown guarantee '" + name + "' (exactly_once, at_least_once)");
  }
}
