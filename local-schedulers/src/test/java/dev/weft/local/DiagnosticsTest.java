package dev.weft.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.diagnostics.ProgressBar;
import dev.weft.diagnostics.Profiler;
import dev.weft.scheduler.Weft;
import dev.weft.testkit.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {
  @Test
  void profilerRecordsEveryTaskAndSummarisesByFunction() {
    Profiler profiler = new Profiler();
    Weft.compute(Shapes.wide(100), Schedulers.threads(2).callbacks(profiler));
    assertEquals(101, profiler.events().size());
    assertEquals(100, profiler.byFunction().get("inc").calls());
    assertEquals(1, profiler.byFunction().get("sum").calls());
    assertTrue(profiler.events().stream().allMatch(e -> e.worker().startsWith("weft-threads-2-")));
    assertTrue(profiler.summary().contains("101 tasks in"), profiler.summary());
  }

  @Test
  void progressBarEndsAtOneHundredPercent() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), Duration.ofMillis(5));
    Weft.compute(Shapes.chain(200), Schedulers.sync().callbacks(bar));
    String text = out.toString(StandardCharsets.UTF_8);
    String last = text.substring(text.lastIndexOf('\r') + 1);
    assertTrue(last.startsWith("[########################################] | 100% Completed"), last);
  }
}
