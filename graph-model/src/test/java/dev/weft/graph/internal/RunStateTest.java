package dev.weft.graph.internal;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.graph.GraphBuilder;
import dev.weft.graph.Task;
import dev.weft.graph.internal.RunState.Outcome;
import dev.weft.graph.internal.RunState.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The run state every scheduler shares, in the style of Dask's {@code start_state_from_dask} and {@code finish_task}
 * tests: what is ready at the start, what a finished attempt releases, and what it must not change (duplicates, stale
 * attempts, results of a rebuilt graph).
 */
class RunStateTest {
  /** a feeds b and c, which feed d; b may be retried twice. */
  private static ExecutionPlan diamond() {
    Graph graph = Graph.builder()
        .task("a", "inc", 1L)
        .task(Task.of("b", "inc", ref("a")).withRetries(2))
        .task("c", "inc", ref("a"))
        .task("d", "add", ref("b"), ref("c"))
        .build();
    return ExecutionPlan.compile(graph, null, null);
  }

  private static List<String> keysIn(ExecutionPlan plan, RunState run, TaskState state) {
    List<String> keys = new ArrayList<>();
    for (int task = 0; task < plan.size(); task++) {
      if (run.state(task) == state) {
        keys.add(plan.key(task));
      }
    }
    return keys;
  }

  @Test
  void atTheStartOnlyTasksWithoutInputsAreReady() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    assertEquals(List.of("a"), keysIn(plan, run, TaskState.READY));
    assertEquals(List.of("b", "c", "d"), keysIn(plan, run, TaskState.WAITING));
    assertEquals(0, run.done());
    assertThrows(IllegalStateException.class, () -> run.retry(plan.indexOf("a")), "a has not started");
  }

  @Test
  void aFinishedTaskReleasesTheDependentsWhoseInputsAreAllDone() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    int a = run.start();
    assertEquals("a", plan.key(a));
    assertEquals(1, run.attempt(a));
    assertEquals(1, run.running());
    assertFalse(run.hasReady());
    assertEquals(Outcome.DONE, run.finished(a, 1, true, true));
    assertEquals(List.of("b", "c"), keysIn(plan, run, TaskState.READY));
    int first = run.start();
    int second = run.start();
    assertTrue(plan.rank(first) < plan.rank(second), "ready tasks start in static order");
    assertEquals(Outcome.DONE, run.finished(first, 1, true, true));
    assertEquals(List.of("d"), keysIn(plan, run, TaskState.WAITING), "d waits for its other input");
    assertEquals(Outcome.DONE, run.finished(second, 1, true, true));
    int d = run.start();
    assertEquals("d", plan.key(d));
    assertEquals(Outcome.DONE, run.finished(d, 1, true, true));
    assertTrue(run.isComplete());
    assertEquals(0, run.running());
  }

  @Test
  void duplicatesAndStaleAttemptsChangeNothing() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    int a = run.start();
    assertEquals(Outcome.DONE, run.finished(a, 1, true, true));
    assertEquals(Outcome.IGNORED, run.finished(a, 1, true, true), "a result that came twice");
    assertEquals(Outcome.IGNORED, run.finished(a, 2, false, true), "a failure of a task already done");
    assertEquals(1, run.done());

    int b = plan.indexOf("b");
    assertEquals(Outcome.IGNORED, run.finished(plan.indexOf("d"), 1, true, true), "d never started");
    while (run.nextReady() != b) {
      run.start(); // c
    }
    assertEquals(b, run.start());
    assertEquals(Outcome.RETRY, run.finished(b, 1, false, true));
    assertEquals(2, run.retry(b));
    assertTrue(run.isRunning(b, 2));
    assertFalse(run.isRunning(b, 1));
    assertEquals(Outcome.IGNORED, run.finished(b, 1, false, true), "the failure of attempt 1, reported again");
    assertEquals(Outcome.DONE, run.finished(b, 1, true, true), "any attempt's success will do");
    assertEquals(Outcome.IGNORED, run.finished(b, 2, true, true), "and the other attempt's is a duplicate");
  }

  @Test
  void aCancelledRunStartsNothingMoreIgnoresLateReportsAndNamesWhatToStop() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    int a = run.start();
    run.finished(a, 1, true, true);
    int first = run.start();
    assertTrue(run.hasReady(), "b and c are both ready after a");
    assertArrayEquals(new int[] {first}, run.cancel(), "the one running task is what the caller must stop");
    assertTrue(run.isCancelled());
    assertFalse(run.hasReady(), "nothing starts after a cancel, though a task was ready");
    assertThrows(IllegalStateException.class, run::start);
    assertEquals(Outcome.IGNORED, run.finished(first, 1, true, true), "a late success changes nothing");
    assertEquals(Outcome.IGNORED, run.finished(first, 1, false, true), "nor does a late failure");
    assertFalse(run.markDone(plan.indexOf("d"), 0), "nor a result found written");
    assertEquals(1, run.done());
    assertEquals(TaskState.RUNNING, run.state(first), "states stay as they were: the run ended, not its tasks");
    assertArrayEquals(new int[0], run.cancel(), "a second cancel has nothing more to stop");
  }

  @Test
  void retriesEndWhenTheBudgetIsSpentOrTheFailureIsNotRetriable() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    run.finished(run.start(), 1, true, true); // a
    int b = plan.indexOf("b");
    int c = plan.indexOf("c");
    run.start();
    run.start();
    assertEquals(Outcome.RETRY, run.finished(b, 1, false, true));
    assertEquals(Outcome.RETRY, run.finished(b, run.retry(b), false, true));
    assertEquals(Outcome.FAILED, run.finished(b, run.retry(b), false, true), "three attempts: two retries spent");
    assertEquals(Outcome.FAILED, run.finished(c, 1, false, true), "c has no retries");

    RunState other = new RunState(plan);
    other.finished(other.start(), 1, true, true);
    other.start();
    other.start();
    assertEquals(Outcome.FAILED, other.finished(b, 1, false, false), "it took its workers down: no retry");
  }

  @Test
  void inputsAndResultsFoundWrittenAreDoneWithoutRunning() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    int a = plan.indexOf("a");
    assertTrue(run.markDone(a, 0), "an input from an earlier graph");
    assertFalse(run.markDone(a, 0), "once");
    assertEquals(List.of("b", "c"), keysIn(plan, run, TaskState.READY));
    int started = run.start();
    assertFalse(run.markDone(started, 1), "a running task ends by its attempt");
    assertEquals(Outcome.DONE, run.finished(started, 1, true, true));
    assertEquals(2, run.done());
    assertEquals(0, run.attempt(a), "the input never ran");
  }

  /**
   * A scheduler that takes a graph over replays the results its predecessor's workers wrote, in the order they were
   * written, which need not be the graph's: the state ends complete, nothing started, attempts numbered after theirs.
   */
  @Test
  void aGraphIsRebuiltFromItsReplayedResultsInAnyOrder() {
    ExecutionPlan plan = diamond();
    RunState run = new RunState(plan);
    int b = plan.indexOf("b");
    run.sawAttempt(b, 1); // attempt 1 of b failed there, and was retried
    assertTrue(run.markDone(plan.indexOf("d"), 1));
    assertTrue(run.markDone(b, 2));
    assertEquals(2, run.attempt(b));
    assertTrue(run.markDone(plan.indexOf("c"), 1));
    assertFalse(run.isComplete());
    assertTrue(run.markDone(plan.indexOf("a"), 1));
    assertTrue(run.isComplete());
    assertEquals(0, run.running());
    assertFalse(run.hasReady(), "nothing is left to start: tasks done while ready are passed over");
  }

  @Test
  void theLegalTransitionsAreTheOnesTheStateMakes() {
    assertTrue(TaskState.WAITING.canBecome(TaskState.READY));
    assertTrue(TaskState.WAITING.canBecome(TaskState.DONE));
    assertFalse(TaskState.WAITING.canBecome(TaskState.RUNNING));
    assertTrue(TaskState.READY.canBecome(TaskState.RUNNING));
    assertTrue(TaskState.RUNNING.canBecome(TaskState.RUNNING));
    assertFalse(TaskState.RUNNING.canBecome(TaskState.READY));
    for (TaskState next : TaskState.values()) {
      assertFalse(TaskState.DONE.canBecome(next), "DONE is final");
    }
  }

  /**
   * Random graphs, run with random completion order, duplicates and failures: every observed change is a legal
   * transition, no task starts before its inputs are done, and every task ends done exactly once.
   */
  @Test
  void randomRunsOnlyMakeLegalTransitions() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int size = 1 + random.nextInt(40);
      GraphBuilder builder = Graph.builder();
      for (int i = 0; i < size; i++) {
        List<Object> args = new ArrayList<>();
        for (int j = 0; j < i; j++) {
          if (random.nextInt(4) == 0) {
            args.add(ref("t" + j));
          }
        }
        builder.task(Task.of("t" + i, "list", args.toArray()).withRetries(random.nextInt(2)));
      }
      ExecutionPlan plan = ExecutionPlan.compile(builder.build(), null, null);
      RunState run = new RunState(plan);
      TaskState[] seen = new TaskState[size];
      for (int task = 0; task < size; task++) {
        seen[task] = run.state(task);
      }
      List<Integer> running = new ArrayList<>();
      int doneEvents = 0;
      int steps = 0;
      while (!run.isComplete() && steps++ < 10_000) {
        if (run.hasReady() && (running.isEmpty() || random.nextBoolean())) {
          int task = run.start();
          for (int r = plan.referencesStart(task); r < plan.referencesEnd(task); r++) {
            assertEquals(TaskState.DONE, run.state(plan.referenceAt(r)), "an input of a started task is done");
          }
          running.add(task);
        } else {
          int task = running.get(random.nextInt(running.size()));
          boolean succeeds = random.nextInt(5) != 0;
          Outcome outcome = run.finished(task, run.attempt(task), succeeds, true);
          if (outcome == Outcome.RETRY) {
            run.retry(task);
          } else if (outcome == Outcome.FAILED) {
            // The scheduler gives the graph up; here the attempt is run again as if retried, to go on checking.
            assertEquals(Outcome.DONE, run.finished(task, run.attempt(task), true, true));
            running.remove((Integer) task);
            doneEvents++;
          } else {
            assertEquals(Outcome.DONE, outcome);
            running.remove((Integer) task);
            doneEvents++;
            assertEquals(Outcome.IGNORED, run.finished(task, run.attempt(task), true, true), "a duplicate");
          }
        }
        for (int task = 0; task < size; task++) {
          TaskState now = run.state(task);
          assertTrue(now == seen[task] || seen[task].canBecome(now), seen[task] + " -> " + now);
          seen[task] = now;
        }
      }
      assertTrue(run.isComplete(), "trial " + trial);
      assertEquals(size, doneEvents);
      assertEquals(0, run.running());
    }
  }
}
