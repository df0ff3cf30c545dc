package dev.weft.registry;

import java.util.Locale;

/**
 * How a new schema of a subject must relate to the subject's earlier schemas, as Confluent Schema Registry defines it.
 *
 * <p>Backward: consumers using the new schema can read data written with the earlier one (the new schema is the reader).
 * Forward: consumers still on the earlier schema can read data written with the new one. Full: both. The transitive
 * levels check against every earlier version, the others against the latest only.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Whether the new schema must be able to read data written with earlier schemas. */
  public boolean backward() {
    return backward;
  }

  /** Whether earlier schemas must be able to read data written with the new schema. */
  public boolean forward() {
    return forward;
  }

  /** Whether the check covers every earlier version rather than the latest only. */
  public boolean transitive() {
    return transitive;
  }

  /**
   * The level named {@code name}, ignoring case, as the registry's REST API accepts it.
   *
   * @throws IllegalArgumentException naming the valid levels when {@code name} is none of them
   */
  public static CompatibilityLevel forName(String name) {
    if (name != null) {
      for (CompatibilityLevel level : values()) {
        if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
          return level;
        }
      }
    }
    throw new IllegalArgumentException("invalid compatibility level " + (name == null ? "null" : "'" + name + "'")
        + ": valid levels are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL and"
        + " FULL_TRANSITIVE");
  }
}
