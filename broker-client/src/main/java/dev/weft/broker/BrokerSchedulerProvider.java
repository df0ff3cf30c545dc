package dev.weft.broker;

import dev.weft.scheduler.Scheduler;
import dev.weft.scheduler.SchedulerProvider;

/** Makes the broker scheduler known as {@code broker}. */
public final class BrokerSchedulerProvider implements SchedulerProvider {
  @Override
  public String name() {
    return BrokerScheduler.NAME;
  }

  @Override
  public Scheduler create() {
    return new BrokerScheduler();
  }
}
