package dev.weft.stream;

import java.util.List;

/**
 * A job as {@code weft stream list} shows it: its definition and what the instances that run it reported lately.
 *
 * @param instances the instances whose status is recent (within three status intervals, or ten seconds)
 */
public record JobStatus(StreamJob job, List<InstanceStatus> instances) {
  public long recordsIn() {
    return instances.stream().mapToLong(InstanceStatus::recordsIn).sum();
  }

  public long recordsOut() {
    return instances.stream().mapToLong(InstanceStatus::recordsOut).sum();
  }

  public long deadLetters() {
    return instances.stream().mapToLong(InstanceStatus::deadLetters).sum();
  }

  public double inPerSecond() {
    return instances.stream().mapToDouble(InstanceStatus::inPerSecond).sum();
  }

  public double outPerSecond() {
    return instances.stream().mapToDouble(InstanceStatus::outPerSecond).sum();
  }

  public long lag() {
    return instances.stream().flatMap(status -> status.lag().values().stream()).mapToLong(Long::longValue).sum();
  }

  /** The worst instance's p99 latency, in ms (0 when none reported). */
  public long latencyP99Ms() {
    return instances.stream().mapToLong(InstanceStatus::latencyP99Ms).max().orElse(0);
  }

  public long latencyP50Ms() {
    return instances.stream().mapToLong(InstanceStatus::latencyP50Ms).max().orElse(0);
  }
}
