package dev.weft.bag;

import dev.weft.scheduler.ComputeOptions;

class ThreadsBagTest extends BagConformanceSuite {
  @Override
  protected ComputeOptions scheduler() {
    return ComputeOptions.scheduler("threads");
  }
}
