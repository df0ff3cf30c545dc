package dev.weft.local;

import dev.weft.scheduler.ComputeOptions;
import dev.weft.testkit.SchedulerConformanceSuite;

class ThreadsConformanceTest extends SchedulerConformanceSuite {
  @Override
  protected ComputeOptions scheduler() {
    return Schedulers.threads(2);
  }

  @Override
  protected boolean encodesValues() {
    return false;
  }
}
