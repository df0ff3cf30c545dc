package dev.weft.local;

import dev.weft.scheduler.ComputeOptions;
import dev.weft.testkit.SchedulerConformanceSuite;

class SyncConformanceTest extends SchedulerConformanceSuite {
  @Override
  protected ComputeOptions scheduler() {
    return Schedulers.sync();
  }

  @Override
  protected boolean encodesValues() {
    return false;
  }
}
