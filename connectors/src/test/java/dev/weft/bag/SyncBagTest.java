package dev.weft.bag;

import dev.weft.scheduler.ComputeOptions;

class SyncBagTest extends BagConformanceSuite {
  @Override
  protected ComputeOptions scheduler() {
    return ComputeOptions.scheduler("sync");
  }
}
