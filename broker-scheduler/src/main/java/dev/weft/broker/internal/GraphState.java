package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.graph.internal.ExecutionPlan;
import dev.weft.graph.internal.RunState;
import dev.weft.scheduler.ErrorText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One graph as the scheduler that owns it tracks it: its {@link RunState} (which tasks wait, are ready, emitted or
 * done, with which attempt: the kernel every scheduler shares) and, beside it, where each finished task's result is,
 * which tasks-topic partition ran it, and what the graph holds of each pool's capacity. Never a value. Owned by the
 * scheduler's loop thread.
 *
 * <p>Emitting a task starts it in the run state; inputs from earlier graphs start DONE, at their given locations; a
 * scheduler that takes a graph over marks done the tasks whose results it finds ({@link Outcome#RECOVERED}).
 */
public final class GraphState {
  private final String graphId;
  private final int partition;
  private final long submitOffset;
  private final long resultsStart;
  private final ExecutionPlan plan;
  private final boolean taskEvents;
  private final int maxInFlight;
  private final String[] taskTopics;

  private final RunState run;
  private final int[] resultPartitions;
  private final long[] resultOffsets;
  /** The tasks-topic partition each task ran from, or -1: where its value is in a worker's memory. */
  private final int[] ranFrom;
  private final Map<String, Integer> inFlightByTopic = new LinkedHashMap<>();
  /** Progress by function: each task's function's number, and done and total tasks by number (a task done: O(1)). */
  private final FunctionCounts functions;
  private long lastProgressNanos;
  private int lastProgressDone = -1;
  private boolean paused;

  /** What a result did to the graph. */
  public enum Outcome {
    /** Stale or repeated: nothing changed. */
    IGNORED,
    /** The task is done; dependents may be ready. */
    DONE,
    /**
     * The task is done, by a result read again while the graph is being rebuilt: another scheduler emitted it, so it
     * held none of this scheduler's capacity.
     */
    RECOVERED,
    /** The attempt failed and the task will run again. */
    RETRY,
    /** The task failed for good: the graph fails. */
    FAILED
  }

  /**
   * @param taskTopics the tasks topic of each task, by plan number (its pool's)
   * @param inputs results of earlier graphs, by key, that are tasks of this plan already done
   * @param resultsStart where the results of this graph can start in its results partition
   */
  public GraphState(String graphId, int partition, long submitOffset, long resultsStart, ExecutionPlan plan,
      boolean taskEvents, int maxInFlight, String[] taskTopics, Map<String, ResultRef> inputs) {
    this.graphId = graphId;
    this.partition = partition;
    this.submitOffset = submitOffset;
    this.resultsStart = resultsStart;
    this.plan = plan;
    this.taskEvents = taskEvents;
    this.maxInFlight = maxInFlight;
    this.taskTopics = taskTopics;
    int size = plan.size();
    run = new RunState(plan);
    resultPartitions = new int[size];
    resultOffsets = new long[size];
    ranFrom = new int[size];
    Arrays.fill(ranFrom, -1);
    functions = new FunctionCounts(plan);
    for (Map.Entry<String, ResultRef> input : inputs.entrySet()) {
      int task = plan.indexOf(input.getKey());
      if (task >= 0 && run.markDone(task, 0)) {
        located(task, input.getValue());
      }
    }
  }

  public String graphId() {
    return graphId;
  }

  public int partition() {
    return partition;
  }

  public long submitOffset() {
    return submitOffset;
  }

  public long resultsStart() {
    return resultsStart;
  }

  public ExecutionPlan plan() {
    return plan;
  }

  public boolean taskEvents() {
    return taskEvents;
  }

  public int size() {
    return plan.size();
  }

  public int done() {
    return run.done();
  }

  /** Tasks this scheduler emitted and has no result of. */
  public int inFlight() {
    return run.running();
  }

  public boolean isComplete() {
    return run.isComplete();
  }

  /** Emission stops while paused: while its partition is being recovered, or after the graph ended. */
  public boolean isPaused() {
    return paused;
  }

  public void setPaused(boolean paused) {
    this.paused = paused;
  }

  /** Whether a task could be emitted now, as far as this graph's own cap allows. */
  public boolean canEmit() {
    return !paused && run.hasReady() && (maxInFlight <= 0 || run.running() < maxInFlight);
  }

  /** The next task to emit, in static order, left in place. */
  public int nextReady() {
    return run.nextReady();
  }

  public String topicOf(int task) {
    return taskTopics[task];
  }

  /** Takes the next ready task and counts it in flight; returns its attempt number. */
  public int emitNext() {
    int task = run.start();
    inFlightByTopic.merge(taskTopics[task], 1, Integer::sum);
    return run.attempt(task);
  }

  /** Re-emits a task whose attempt failed; returns the new attempt number. */
  public int retry(int task) {
    return run.retry(task);
  }

  public int attempt(int task) {
    return run.attempt(task);
  }

  /** Whether {@code attempt} of {@code task} is the one emitted and waited for. */
  public boolean isInFlight(int task, int attempt) {
    return run.isRunning(task, attempt);
  }

  /**
   * Applies a result of {@code task}.
   *
   * @param retriable false for a failure that no retry may follow (the task took down the workers that ran it)
   * @param location where the result record is
   */
  public Outcome onResult(int task, int attempt, boolean succeeded, boolean retriable, ResultRef location,
      int taskPartition) {
    RunState.TaskState state = run.state(task);
    if (state == RunState.TaskState.DONE) {
      return Outcome.IGNORED; // a duplicate: the task ran twice (a redelivery, a scheduler that took over)
    }
    if (state != RunState.TaskState.RUNNING) {
      if (!paused) {
        return Outcome.IGNORED;
      }
      // Rebuilding after a takeover: the previous owner emitted this task and its result is here.
      if (!succeeded) {
        run.sawAttempt(task, attempt);
        // Out of retries, it failed the graph there: it fails here too, rather than run again. With retries left,
        // the previous owner sent it again: that attempt's result follows, or the task is sent from here.
        return attempt > plan.task(task).retries() || !retriable ? Outcome.FAILED : Outcome.IGNORED;
      }
      run.markDone(task, attempt);
      ranFrom[task] = taskPartition;
      located(task, location);
      return Outcome.RECOVERED;
    }
    switch (run.finished(task, attempt, succeeded, retriable)) {
      case DONE:
        // Any attempt's success will do, even one we had given up waiting for.
        inFlightByTopic.merge(taskTopics[task], -1, Integer::sum);
        ranFrom[task] = taskPartition;
        located(task, location);
        return Outcome.DONE;
      case RETRY:
        return Outcome.RETRY;
      case FAILED:
        return Outcome.FAILED;
      default:
        return Outcome.IGNORED; // a failure of an attempt already retried
    }
  }

  /** Called once per task, when it becomes done. */
  private void located(int task, ResultRef location) {
    resultPartitions[task] = location.partition();
    resultOffsets[task] = location.offset();
    functions.done(task);
  }

  /** Done and total tasks of each function, for progress events. */
  public List<GraphEvent.FunctionProgress> functionProgress() {
    return functions.progress();
  }

  /**
   * The tasks-topic partition to send {@code task} to, so that the worker that made its first input reads it from
   * memory; -1 to let the key choose (no input, or it came from another pool or an earlier graph).
   */
  public int preferredPartition(int task) {
    for (int r = plan.referencesStart(task); r < plan.referencesEnd(task); r++) {
      int input = plan.referenceAt(r);
      if (ranFrom[input] >= 0 && taskTopics[input].equals(taskTopics[task])) {
        return ranFrom[input];
      }
    }
    return -1;
  }

  /** Where {@code task}'s result is; the task must be done. */
  public ResultRef location(int task) {
    if (run.state(task) != RunState.TaskState.DONE) {
      throw new IllegalStateException("task '" + plan.key(task) + "' of graph " + graphId + " is not done");
    }
    return new ResultRef(resultPartitions[task], resultOffsets[task]);
  }

  /** Where each requested key's result is, in the order asked. */
  public Map<String, ResultRef> outputLocations() {
    Map<String, ResultRef> locations = new LinkedHashMap<>();
    int[] outputs = plan.outputs();
    for (int i = 0; i < outputs.length; i++) {
      locations.put(plan.outputKeys().get(i), location(outputs[i]));
    }
    return locations;
  }

  /** Tasks of each tasks topic emitted and not done: what this graph holds of each pool's capacity. */
  public Map<String, Integer> inFlightByTopic() {
    return inFlightByTopic;
  }

  /** Whether a progress event is due: something changed and the interval passed. */
  public boolean progressDue(long now, long intervalNanos) {
    return run.done() != lastProgressDone && now - lastProgressNanos >= intervalNanos;
  }

  public void progressPublished(long now) {
    lastProgressNanos = now;
    lastProgressDone = run.done();
  }

  /**
   * Tasks by function, counted as they are done. A graph of more than {@link GraphEvent#MAX_FUNCTIONS} functions keeps
   * a count of its own for those with the most tasks and sums the rest as {@link GraphEvent#OTHER_FUNCTIONS}.
   */
  private static final class FunctionCounts {
    private final String[] names;
    private final int[] functionOf;
    private final int[] done;
    private final int[] total;

    FunctionCounts(ExecutionPlan plan) {
      Map<String, Integer> tasksOf = new LinkedHashMap<>();
      for (int task = 0; task < plan.size(); task++) {
        tasksOf.merge(plan.task(task).function(), 1, Integer::sum);
      }
      List<String> kept = new ArrayList<>(tasksOf.keySet());
      boolean other = kept.size() > GraphEvent.MAX_FUNCTIONS;
      if (other) {
        List<String> most = new ArrayList<>(kept);
        most.sort((a, b) -> Integer.compare(tasksOf.get(b), tasksOf.get(a))); // stable: ties by first use
        java.util.Set<String> top = new java.util.HashSet<>(most.subList(0, GraphEvent.MAX_FUNCTIONS - 1));
        kept.removeIf(name -> !top.contains(name));
        kept.add(GraphEvent.OTHER_FUNCTIONS);
      }
      names = new String[kept.size()];
      Map<String, Integer> numbers = new HashMap<>();
      for (int i = 0; i < names.length; i++) {
        numbers.put(kept.get(i), i);
        names[i] = ErrorText.cut(kept.get(i), GraphEvent.MAX_FUNCTION_CHARS);
      }
      functionOf = new int[plan.size()];
      done = new int[names.length];
      total = new int[names.length];
      for (int task = 0; task < plan.size(); task++) {
        Integer number = numbers.get(plan.task(task).function());
        functionOf[task] = number != null ? number : names.length - 1;
        total[functionOf[task]]++;
      }
    }

    void done(int task) {
      done[functionOf[task]]++;
    }

    List<GraphEvent.FunctionProgress> progress() {
      List<GraphEvent.FunctionProgress> progress = new ArrayList<>(names.length);
      for (int i = 0; i < names.length; i++) {
        progress.add(new GraphEvent.FunctionProgress(names[i], done[i], total[i]));
      }
      return progress;
    }
  }
}
