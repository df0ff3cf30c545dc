package dev.weft.stream;

import java.util.Locale;

/**
 * What a job's definition asks of the schedulers. Legal changes: RUNNING to PAUSED and back; either to stopped, which
 * removes the definition (its consumer group keeps its offsets, so a job started again under the same name resumes
 * where it was).
 */
public enum JobState {
  /** Schedulers read its inputs. */
  RUNNING,
  /** Kept, but no scheduler reads its inputs: records wait in Kafka, visible as the group's lag. */
  PAUSED;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState named(String name) {
    for (JobState state : values()) {
      if (state.jsonName().equalsIgnoreCase(name)) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown job state '" + name + "' (running, paused)");
  }
}
