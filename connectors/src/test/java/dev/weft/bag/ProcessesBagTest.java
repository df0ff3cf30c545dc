package dev.weft.bag;

import dev.weft.local.Schedulers;
import dev.weft.scheduler.ComputeOptions;

class ProcessesBagTest extends BagConformanceSuite {
  @Override
  protected ComputeOptions scheduler() {
    return Schedulers.processes(2);
  }
}
