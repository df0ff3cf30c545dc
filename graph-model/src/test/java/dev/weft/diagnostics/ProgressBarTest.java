package dev.weft.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void rendersFractionAndElapsedTime() {
    assertEquals("[##########                              ] |  25% Completed | 1.5s",
        ProgressBar.render(25, 100, 1_500_000_000L));
    assertEquals("[########################################] | 100% Completed | 0.0s",
        ProgressBar.render(0, 0, 0));
  }
}
