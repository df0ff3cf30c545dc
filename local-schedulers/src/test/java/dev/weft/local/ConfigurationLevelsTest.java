package dev.weft.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.scheduler.Callback;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.GraphRun;
import dev.weft.scheduler.Weft;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigurationLevelsTest {
  private final Graph graph = Graph.builder().task("a", "inc", 1L).build();
  private final List<String> schedulers = new ArrayList<>();
  private final Callback recorder = new Callback() {
    @Override
    public void start(GraphRun run) {
      schedulers.add(run.scheduler());
    }
  };

  @AfterEach
  void resetGlobal() {
    Weft.configure(ComputeOptions.defaults());
  }

  @Test
  void perCallWinsOverScopedWhichWinsOverGlobal() {
    ComputeOptions listen = ComputeOptions.defaults().callbacks(recorder);
    Weft.compute(graph, listen);
    Weft.configure(ComputeOptions.scheduler("sync"));
    Weft.compute(graph, listen);
    try (Weft.Scope outer = Weft.scoped(ComputeOptions.scheduler("threads"))) {
      Weft.compute(graph, listen);
      Weft.compute(graph, ComputeOptions.scheduler("sync").callbacks(recorder));
      try (Weft.Scope inner = Weft.scoped(ComputeOptions.defaults().numWorkers(1))) {
        Weft.compute(graph, listen);
        assertEquals(1, Weft.currentOptions().get(dev.weft.scheduler.SchedulerOptions.NUM_WORKERS));
      }
    }
    Weft.compute(graph, listen);
    assertEquals(List.of("threads", "sync", "threads", "sync", "threads", "sync"), schedulers);
  }

  @Test
  void scopedCallbacksAddToPerCallOnes() {
    List<String> seen = new ArrayList<>();
    Callback scoped = new Callback() {
      @Override
      public void start(GraphRun run) {
        seen.add("scoped");
      }
    };
    try (Weft.Scope scope = Weft.scoped(ComputeOptions.defaults().callbacks(scoped))) {
      Weft.compute(graph, ComputeOptions.scheduler("sync").callbacks(recorder));
    }
    assertEquals(List.of("scoped"), seen);
    assertEquals(List.of("sync"), schedulers);
  }

  @Test
  void scopesMustBeClosedInReverseOrder() {
    Weft.Scope outer = Weft.scoped(ComputeOptions.scheduler("sync"));
    Weft.Scope inner = Weft.scoped(ComputeOptions.scheduler("threads"));
    assertEquals("scopes must be closed in reverse order of opening",
        assertThrows(IllegalStateException.class, outer::close).getMessage());
    inner.close();
    outer.close();
  }

  @Test
  void unknownSchedulerNamesTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Weft.compute(graph, ComputeOptions.scheduler("quantum")));
    assertTrue(e.getMessage().startsWith("unknown scheduler 'quantum'; known: "), e.getMessage());
    assertTrue(e.getMessage().contains("processes, sync, threads"), e.getMessage());
  }

  @Test
  void aSchedulerInstanceCanBePassedDirectly() {
    try (ThreadsScheduler own = new ThreadsScheduler()) {
      Weft.compute(graph, ComputeOptions.scheduler(own).callbacks(recorder));
    }
    assertEquals(List.of("threads"), schedulers);
  }

  @Test
  void delayedResultsComputeThroughTheSameLevels() {
    dev.weft.graph.DelayedBuilder b = new dev.weft.graph.DelayedBuilder();
    dev.weft.graph.Delayed<Number> x = b.call(dev.weft.function.builtin.BuiltinFunctions.INC, 41L);
    try (Weft.Scope scope = Weft.scoped(ComputeOptions.scheduler("sync").callbacks(recorder))) {
      assertEquals(42L, x.compute());
    }
    assertEquals(List.of("sync"), schedulers);
  }
}
