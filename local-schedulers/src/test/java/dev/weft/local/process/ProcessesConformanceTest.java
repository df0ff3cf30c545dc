package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.local.Schedulers;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.testkit.SchedulerConformanceSuite;
import dev.weft.testkit.Shapes;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessesConformanceTest extends SchedulerConformanceSuite {
  @Override
  protected ComputeOptions scheduler() {
    return Schedulers.processes(2);
  }

  /** Dask's process scheduler fails this one with a pickling recursion error. */
  @Test
  void chainOfTenThousand() {
    assertEquals(Map.of("chain-9999", 10_000L), compute(Shapes.chain(10_000)));
  }
}
