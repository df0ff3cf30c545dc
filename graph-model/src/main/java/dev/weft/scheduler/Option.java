package dev.weft.scheduler;

import java.util.Objects;

/**
 * A typed configuration key with its default and documentation, as Flink's {@code ConfigOption}. Scheduler modules
 * declare their own options beside their code; {@link SchedulerOptions} holds the ones every scheduler reads.
 *
 * @param <T> the type of the value
 */
public final class Option<T> {
  private final String key;
  private final Class<T> type;
  private final T defaultValue;
  private final String description;

  private Option(String key, Class<T> type, T defaultValue, String description) {
    this.key = Objects.requireNonNull(key, "key");
    this.type = Objects.requireNonNull(type, "type");
    this.defaultValue = defaultValue;
    this.description = Objects.requireNonNull(description, "description");
  }

  public static <T> Option<T> of(String key, Class<T> type, T defaultValue, String description) {
    return new Option<>(key, type, defaultValue, description);
  }

  public String key() {
    return key;
  }

  public Class<T> type() {
    return type;
  }

  /** The value when no level sets one; may be null, meaning "the scheduler decides". */
  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** Checks a value given for this option; a clear error names the key otherwise. */
  T check(Object value) {
    if (value != null && !type.isInstance(value)) {
      throw new IllegalArgumentException("option '" + key + "' takes a " + type.getSimpleName() + ", got "
          + value.getClass().getName());
    }
    return type.cast(value);
  }

  @Override
  public String toString() {
    return key;
  }
}
