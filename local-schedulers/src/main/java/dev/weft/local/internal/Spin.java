package dev.weft.local.internal;

/**
 * How long a thread that waits for work spins before it parks. Handing a task to a parked thread costs a system call
 * and a wake-up of tens of microseconds; a task of a microsecond would then cost fifty. A short spin keeps a busy
 * pipeline (a chain of small tasks) on its threads, and an idle one parks soon after.
 */
public final class Spin {
  /** Nanoseconds; {@code -Dweft.spin.nanos} tunes it (0 parks at once). */
  public static final long NANOS = Long.getLong("weft.spin.nanos", 50_000L);

  private Spin() {}
}
