package dev.weft.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What the benchmark prints for a shape: its figure beside the raw limit of the same run and issue 15's target. */
class BrokerThroughputTest {
  @Test
  void aWideShapeIsPrintedAsAShareOfThePipelinedRawRateBesideItsTarget() {
    assertEquals("41,200 tasks/s  0.52 of raw 79,000/s  (target >= 0.70, not met)",
        BrokerThroughput.figure("wide-10k", 41_200, 1.0, 0.9, 79_000));
    assertEquals("60,000 tasks/s  0.75 of raw 80,000/s  (target >= 0.70, met)",
        BrokerThroughput.figure("tree-65k", 120_000, 2.0, 0.9, 80_000));
  }

  @Test
  void aChainIsPrintedAsTimePerTaskInRawRoundTripsBesideItsTarget() {
    assertEquals("1.050 ms/task  1.12x raw 0.940 ms  (target <= 1.10x, not met)",
        BrokerThroughput.figure("chain-10k", 10_000, 10.5, 0.94, 80_000));
  }

  @Test
  void withoutTheRawLimitOnlyTheShapesOwnFigureIsPrinted() {
    assertEquals("10,000 tasks/s", BrokerThroughput.figure("wide-10k", 10_000, 1.0, Double.NaN, Double.NaN));
    assertEquals("1.000 ms/task", BrokerThroughput.figure("chain-1k", 1_000, 1.0, Double.NaN, Double.NaN));
  }
}
