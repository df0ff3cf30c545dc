package dev.weft.scheduler;

/**
 * Makes a scheduler known by name, discovered through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.weft.scheduler.SchedulerProvider}). {@link Weft} creates each named scheduler once and
 * reuses it for every compute that names it, so a scheduler keeps its pools between computes.
 */
public interface SchedulerProvider {
  /** The name computes select the scheduler by. */
  String name();

  /** A new scheduler; {@link Weft} closes it on {@link Weft#shutdown()}. */
  Scheduler create();
}
