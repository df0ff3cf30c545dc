package dev.weft.broker.internal;

import dev.weft.broker.protocol.ResultRef;
import dev.weft.graph.internal.ExecutionPlan;
import dev.weft.graph.internal.IntHeap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One graph as the scheduler that owns it tracks it: which tasks wait, which are ready, emitted or done, and where
 * each finished task's result is. Never a value. Owned by the scheduler's loop thread.
 *
 * <p>A task goes WAITING → READY → EMITTED → DONE; a failed attempt that has retries left goes from EMITTED back to
 * EMITTED with the next attempt. Inputs from earlier graphs start DONE, at their given locations.
 */
public final class GraphState {
  private static final byte WAITING = 0;
  private static final byte READY = 1;
  private static final byte EMITTED = 2;
  private static final byte DONE = 3;

  private final String graphId;
  private final int partition;
  private final long submitOffset;
  private final long resultsStart;
  private final ExecutionPlan plan;
  private final boolean taskEvents;
  private final int maxInFlight;
  private final String[] taskTopics;

  private final int[] waiting;
  private final byte[] state;
  private final int[] attempts;
  private final int[] resultPartitions;
  private final long[] resultOffsets;
  /** The tasks-topic partition each task ran from, or -1: where its value is in a worker's memory. */
  private final int[] ranFrom;
  private final IntHeap ready;
  private final Map<String, Integer> inFlightByTopic = new LinkedHashMap<>();
  private int inFlight;
  private int done;
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
    waiting = new int[size];
    state = new byte[size];
    attempts = new int[size];
    resultPartitions = new int[size];
    resultOffsets = new long[size];
    ranFrom = new int[size];
    java.util.Arrays.fill(ranFrom, -1);
    ready = new IntHeap(Math.min(size, 1024));
    for (int task = 0; task < size; task++) {
      waiting[task] = plan.dependencyCount(task);
    }
    for (Map.Entry<String, ResultRef> input : inputs.entrySet()) {
      int task = plan.indexOf(input.getKey());
      if (task >= 0) {
        state[task] = EMITTED;
        inFlight++;
        complete(task, input.getValue());
      }
    }
    for (int task = 0; task < size; task++) {
      if (waiting[task] == 0 && state[task] == WAITING) {
        state[task] = READY;
        ready.add(plan.rank(task));
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
    return done;
  }

  public int inFlight() {
    return inFlight;
  }

  public boolean isComplete() {
    return done == plan.size();
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
    // Tasks done by results read during a rebuild may still sit in the heap: they are not ready any more.
    while (!ready.isEmpty() && state[plan.taskAtRank(ready.peek())] != READY) {
      ready.poll();
    }
    return !paused && !ready.isEmpty() && (maxInFlight <= 0 || inFlight < maxInFlight);
  }

  /** The next task to emit, in static order, left in place. */
  public int nextReady() {
    return plan.taskAtRank(ready.peek());
  }

  public String topicOf(int task) {
    return taskTopics[task];
  }

  /** Takes the next ready task and counts it in flight; returns its attempt number. */
  public int emitNext() {
    int task = plan.taskAtRank(ready.poll());
    state[task] = EMITTED;
    inFlight++;
    inFlightByTopic.merge(taskTopics[task], 1, Integer::sum);
    return ++attempts[task];
  }

  /** Re-emits a task whose attempt failed; returns the new attempt number. */
  public int retry(int task) {
    return ++attempts[task];
  }

  public int attempt(int task) {
    return attempts[task];
  }

  /** Whether {@code attempt} of {@code task} is the one emitted and waited for. */
  public boolean isInFlight(int task, int attempt) {
    return state[task] == EMITTED && attempts[task] == attempt;
  }

  /**
   * Applies a result of {@code task}.
   *
   * @param retriable false for a failure that no retry may follow (the task took down the workers that ran it)
   * @param location where the result record is
   */
  public Outcome onResult(int task, int attempt, boolean succeeded, boolean retriable, ResultRef location,
      int taskPartition) {
    if (state[task] == DONE) {
      return Outcome.IGNORED; // a duplicate: the task ran twice (a redelivery, a scheduler that took over)
    }
    if (state[task] != EMITTED) {
      if (!paused) {
        return Outcome.IGNORED;
      }
      // Rebuilding after a takeover: the previous owner emitted this task and its result is here.
      attempts[task] = Math.max(attempts[task], attempt);
      if (!succeeded) {
        // Out of retries, it failed the graph there: it fails here too, rather than run again. With retries left,
        // the previous owner sent it again: that attempt's result follows, or the task is sent from here.
        return attempt > plan.task(task).retries() || !retriable ? Outcome.FAILED : Outcome.IGNORED;
      }
      ranFrom[task] = taskPartition;
      inFlight++;
      complete(task, location);
      return Outcome.RECOVERED;
    }
    if (succeeded) {
      // Any attempt's success will do, even one we had given up waiting for.
      inFlightByTopic.merge(taskTopics[task], -1, Integer::sum);
      ranFrom[task] = taskPartition;
      complete(task, location);
      return Outcome.DONE;
    }
    if (attempt != attempts[task]) {
      return Outcome.IGNORED; // a failure of an attempt already retried
    }
    return retriable && attempts[task] <= plan.task(task).retries() ? Outcome.RETRY : Outcome.FAILED;
  }

  private void complete(int task, ResultRef location) {
    state[task] = DONE;
    inFlight--;
    done++;
    resultPartitions[task] = location.partition();
    resultOffsets[task] = location.offset();
    for (int d = plan.dependentsStart(task); d < plan.dependentsEnd(task); d++) {
      int dependent = plan.dependentAt(d);
      if (--waiting[dependent] == 0 && state[dependent] == WAITING) {
        state[dependent] = READY;
        ready.add(plan.rank(dependent));
      }
    }
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
    if (state[task] != DONE) {
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
    return done != lastProgressDone && now - lastProgressNanos >= intervalNanos;
  }

  public void progressPublished(long now) {
    lastProgressNanos = now;
    lastProgressDone = done;
  }
}
