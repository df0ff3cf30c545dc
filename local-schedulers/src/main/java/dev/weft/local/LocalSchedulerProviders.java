package dev.weft.local;

import dev.weft.scheduler.Scheduler;
import dev.weft.scheduler.SchedulerProvider;

/** The {@link SchedulerProvider}s of this module, found by {@link java.util.ServiceLoader}. */
public final class LocalSchedulerProviders {
  private LocalSchedulerProviders() {}

  /** {@code sync}. */
  public static final class Sync implements SchedulerProvider {
    @Override
    public String name() {
      return SyncScheduler.NAME;
    }

    @Override
    public Scheduler create() {
      return new SyncScheduler();
    }
  }

  /** {@code processes}. */
  public static final class Processes implements SchedulerProvider {
    @Override
    public String name() {
      return dev.weft.local.process.ProcessesScheduler.NAME;
    }

    @Override
    public Scheduler create() {
      return new dev.weft.local.process.ProcessesScheduler();
    }
  }

  /** {@code threads}. */
  public static final class Threads implements SchedulerProvider {
    @Override
    public String name() {
      return ThreadsScheduler.NAME;
    }

    @Override
    public Scheduler create() {
      return new ThreadsScheduler();
    }
  }
}
