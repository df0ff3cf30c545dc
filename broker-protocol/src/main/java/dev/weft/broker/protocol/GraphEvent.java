package dev.weft.broker.protocol;

import dev.weft.graph.GraphValidationException;
import dev.weft.scheduler.ErrorText;
import dev.weft.scheduler.TaskFailedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A record of the events topic: what happened to a graph. The scheduler that owns the graph writes them, in order, to
 * the graph's partition.
 *
 * <p>Events are small whatever the graph: what grows with it is split or cut ({@link #inParts()}). A graph with more
 * outputs than one event lists is answered with {@link Type#OUTPUTS} events, then a {@link Type#COMPLETED} one whose
 * {@code outputs} counts them all; a reader has the answer once it has seen that many locations.
 *
 * <p>Events are made with the factories ({@link #accepted}, {@link #failed}, ...), one per type, which fill the fields
 * that type carries; the canonical constructor is for the codec.
 *
 * @param outputs COMPLETED: how many output locations the graph's OUTPUTS and COMPLETED events hold together; 0 when
 *     the COMPLETED event holds them all
 * @param attempts FAILED: how many times the failed task ran; 0 when not said (a graph-level failure, or an event of
 *     a scheduler of a version that did not say)
 * @param functions ACCEPTED, PROGRESS and a graph's ending: done and total tasks of each function, as Dask's progress
 *     page shows them; at most {@link #MAX_FUNCTIONS}, the functions with the fewest tasks summed as
 *     {@link #OTHER_FUNCTIONS}. Empty for other types, and in events of a scheduler of a version that did not say.
 */
public record GraphEvent(String graphId, Type type, String taskKey, String function, String message, int done,
    int total, Map<String, ResultRef> locations, TaskError error, String worker, long durationNanos,
    List<GraphValidationException.Problem> problems, int outputs, int attempts, List<FunctionProgress> functions) {
  /**
   * Bytes of result locations one event holds at most, encoded: every event fits a topic of Kafka's default limit
   * (1 MB), and a completion that fitted one before Weft split completions is still one event, so that clients of
   * that time read it (they cannot read split ones: upgrade clients before schedulers).
   */
  public static final int MAX_LOCATION_BYTES = 900 * 1024;
  /** Characters of an event's message, problems listed, and keys listed per problem, at most. */
  public static final int MAX_MESSAGE_CHARS = 20_000;
  public static final int MAX_PROBLEMS = 100;
  public static final int MAX_KEYS_PER_PROBLEM = 100;
  /**
   * Functions an event's progress lists at most: a graph of many functions (one per task, say) keeps its progress
   * events small, and a chart of more bars would not be read anyway.
   */
  public static final int MAX_FUNCTIONS = 64;
  /** The name under which progress sums the functions beyond {@link #MAX_FUNCTIONS}. */
  public static final String OTHER_FUNCTIONS = "(other functions)";
  /** Characters of a function's name in a progress entry, at most. */
  public static final int MAX_FUNCTION_CHARS = 200;

  /** How many of a graph's tasks that call {@code function} are done, of {@code total}. */
  public record FunctionProgress(String function, int done, int total) {}

  /** What happened. A graph ends with exactly one of REJECTED, COMPLETED, FAILED or CANCELLED. */
  public enum Type {
    /** The graph is valid and its tasks are being scheduled. */
    ACCEPTED,
    /** The graph cannot run; the message names the problems. Final. */
    REJECTED,
    /** How many of the graph's tasks are done. */
    PROGRESS,
    /** A task was handed to the workers (only when the submitter asked for task events). */
    TASK_STARTED,
    /** A task finished; {@code locations} holds where its result is (only when asked for). */
    TASK_DONE,
    /** Every requested key has a result; {@code locations} says where each is. Final. */
    COMPLETED,
    /** A task failed after its retries; {@code taskKey}, {@code function} and {@code error} say which and why. Final. */
    FAILED,
    /** The graph was cancelled before it finished. Final. */
    CANCELLED,
    /** Where some outputs of a graph that completes are, when they are too many for its COMPLETED event. */
    OUTPUTS;

    public boolean isFinal() {
      return this == REJECTED || this == COMPLETED || this == FAILED || this == CANCELLED;
    }
  }

  public GraphEvent {
    locations = Collections.unmodifiableMap(new LinkedHashMap<>(locations));
    problems = List.copyOf(problems);
    functions = List.copyOf(functions);
  }

  /** An event without progress by function: every type but ACCEPTED and PROGRESS. */
  public GraphEvent(String graphId, Type type, String taskKey, String function, String message, int done, int total,
      Map<String, ResultRef> locations, TaskError error, String worker, long durationNanos,
      List<GraphValidationException.Problem> problems, int outputs, int attempts) {
    this(graphId, type, taskKey, function, message, done, total, locations, error, worker, durationNanos, problems,
        outputs, attempts, List.of());
  }

  /** An event of {@code type} with nothing but its graph: for tests of the codec. */
  public static GraphEvent of(String graphId, Type type) {
    return new GraphEvent(graphId, type, null, null, null, 0, 0, Map.of(), null, null, 0, List.of(), 0, 0);
  }

  /** The graph is valid and runs: {@code done} of its {@code total} tasks are done already (inputs, say). */
  public static GraphEvent accepted(String graphId, int done, int total) {
    return accepted(graphId, done, total, List.of());
  }

  /** The graph is valid and runs, with how many tasks of each function it has and are done. */
  public static GraphEvent accepted(String graphId, int done, int total, List<FunctionProgress> functions) {
    return new GraphEvent(graphId, Type.ACCEPTED, null, null, null, done, total, Map.of(), null, null, 0, List.of(),
        0, 0, functions);
  }

  /** The graph cannot run: {@code problems} name what is wrong, {@code message} says it in one text. */
  public static GraphEvent rejected(String graphId, String message, List<GraphValidationException.Problem> problems) {
    return new GraphEvent(graphId, Type.REJECTED, null, null, message, 0, 0, Map.of(), null, null, 0, problems, 0, 0);
  }

  public static GraphEvent progress(String graphId, int done, int total) {
    return progress(graphId, done, total, List.of());
  }

  /** {@code done} of the graph's {@code total} tasks are done, {@code functions} saying of which functions. */
  public static GraphEvent progress(String graphId, int done, int total, List<FunctionProgress> functions) {
    return new GraphEvent(graphId, Type.PROGRESS, null, null, null, done, total, Map.of(), null, null, 0, List.of(),
        0, 0, functions);
  }

  /** A task was handed to the workers. */
  public static GraphEvent taskStarted(String graphId, String taskKey, String function, int done, int total) {
    return new GraphEvent(graphId, Type.TASK_STARTED, taskKey, function, null, done, total, Map.of(), null, null, 0,
        List.of(), 0, 0);
  }

  /** A task's result was written, at {@code location}, by {@code worker} in {@code durationNanos}. */
  public static GraphEvent taskDone(String graphId, String taskKey, String function, ResultRef location, String worker,
      long durationNanos, int done, int total) {
    return new GraphEvent(graphId, Type.TASK_DONE, taskKey, function, null, done, total, Map.of(taskKey, location),
        null, worker, durationNanos, List.of(), 0, 0);
  }

  /** Every requested key has a result, at {@code locations} (split by {@link #inParts()} when they are many). */
  public static GraphEvent completed(String graphId, Map<String, ResultRef> locations, int done, int total) {
    return new GraphEvent(graphId, Type.COMPLETED, null, null, null, done, total, locations, null, null, 0, List.of(),
        0, 0);
  }

  /**
   * A task failed for good after {@code attempts} runs. The fields say which and why; {@code message} words it as
   * {@link TaskFailedException} does, for readers of earlier versions, which read only it.
   */
  public static GraphEvent failed(String graphId, String taskKey, String function, int attempts, TaskError error,
      String worker, long durationNanos, int done, int total) {
    String message = TaskFailedException.describe(taskKey, function, attempts, error.describe());
    return new GraphEvent(graphId, Type.FAILED, taskKey, function, message, done, total, Map.of(), error, worker,
        durationNanos, List.of(), 0, attempts);
  }

  /** The graph failed without a task to blame (an answer it could not be given, say). */
  public static GraphEvent failed(String graphId, String message, int done, int total) {
    return new GraphEvent(graphId, Type.FAILED, null, null, message, done, total, Map.of(), null, null, 0, List.of(),
        0, 0);
  }

  /** This event with {@code functions} as its progress by function. */
  public GraphEvent withFunctions(List<FunctionProgress> functions) {
    return new GraphEvent(graphId, type, taskKey, function, message, done, total, locations, error, worker,
        durationNanos, problems, outputs, attempts, functions);
  }

  /**
   * This event without its details, {@code why} in their place: for an event too large for the events topic. An
   * ending that cannot name its outputs is of no use to a reader and becomes a failure.
   */
  public GraphEvent withoutDetails(String why) {
    boolean unusable = type == Type.COMPLETED || type == Type.OUTPUTS;
    return new GraphEvent(graphId, unusable ? Type.FAILED : type, null, null, why, done, total, Map.of(), null, null,
        0, List.of(), 0, 0);
  }

  public static GraphEvent cancelled(String graphId, String reason, int done, int total) {
    return new GraphEvent(graphId, Type.CANCELLED, null, null, reason, done, total, Map.of(), null, null, 0, List.of(),
        0, 0);
  }

  /**
   * This event as the events to write, in order: its message and problems cut to {@link #MAX_MESSAGE_CHARS},
   * {@link #MAX_PROBLEMS} and {@link #MAX_KEYS_PER_PROBLEM} (saying so), and a COMPLETED event whose locations take
   * more than {@link #MAX_LOCATION_BYTES} as OUTPUTS events with a share of them each, then the COMPLETED event with
   * the rest and the count of all.
   */
  public List<GraphEvent> inParts() {
    GraphEvent bounded = withBoundedTexts();
    if (bounded.type != Type.COMPLETED || locationBytes(bounded.locations) <= MAX_LOCATION_BYTES) {
      return List.of(bounded);
    }
    List<GraphEvent> parts = new ArrayList<>();
    Map<String, ResultRef> share = new LinkedHashMap<>();
    long bytes = 0;
    for (Map.Entry<String, ResultRef> location : bounded.locations.entrySet()) {
      long size = locationBytes(location.getKey(), location.getValue());
      if (bytes + size > MAX_LOCATION_BYTES && !share.isEmpty()) {
        parts.add(new GraphEvent(graphId, Type.OUTPUTS, null, null, null, done, total, share, null, null, 0,
            List.of(), 0, 0));
        share = new LinkedHashMap<>();
        bytes = 0;
      }
      share.put(location.getKey(), location.getValue());
      bytes += size;
    }
    parts.add(new GraphEvent(graphId, Type.COMPLETED, taskKey, function, bounded.message, done, total, share, error,
        worker, durationNanos, List.of(), bounded.locations.size(), attempts, functions));
    return parts;
  }

  /** How many output locations a reader of a COMPLETED event must have seen, in it and the OUTPUTS before it. */
  public int outputCount() {
    return outputs > 0 ? outputs : locations.size();
  }

  private GraphEvent withBoundedTexts() {
    String cutMessage = ErrorText.cut(message, MAX_MESSAGE_CHARS);
    if (cutMessage == message && problems.size() <= MAX_PROBLEMS
        && problems.stream().allMatch(problem -> problem.keys().size() <= MAX_KEYS_PER_PROBLEM
            && problem.message().length() <= MAX_MESSAGE_CHARS / MAX_PROBLEMS)) {
      return this;
    }
    List<GraphValidationException.Problem> listed = new ArrayList<>();
    boolean more = problems.size() > MAX_PROBLEMS;
    for (GraphValidationException.Problem problem : problems.subList(0, more ? MAX_PROBLEMS - 1 : problems.size())) {
      List<String> keys = problem.keys().subList(0, Math.min(MAX_KEYS_PER_PROBLEM, problem.keys().size()));
      String text = ErrorText.cut(problem.message(), MAX_MESSAGE_CHARS / MAX_PROBLEMS);
      if (keys.size() < problem.keys().size()) {
        text = ErrorText.cut(text, MAX_MESSAGE_CHARS / MAX_PROBLEMS - 40) + " (" + keys.size() + " of "
            + problem.keys().size() + " keys listed)";
      }
      listed.add(new GraphValidationException.Problem(problem.kind(), keys, text));
    }
    if (more) {
      // Said as a problem of its own: a reader that rebuilds the exception from the problems sees it.
      int unlisted = problems.size() - (MAX_PROBLEMS - 1);
      listed.add(new GraphValidationException.Problem(problems.get(MAX_PROBLEMS - 1).kind(), List.of(),
          "and " + unlisted + " more problems, not listed"));
    }
    return new GraphEvent(graphId, type, taskKey, function, cutMessage, done, total, locations, error, worker,
        durationNanos, listed, outputs, attempts, functions);
  }

  private static long locationBytes(Map<String, ResultRef> locations) {
    long bytes = 0;
    for (Map.Entry<String, ResultRef> location : locations.entrySet()) {
      bytes += locationBytes(location.getKey(), location.getValue());
    }
    return bytes;
  }

  /** A location's bytes encoded: the key's UTF-8 and its length, the partition and the offset, as Avro writes them. */
  private static long locationBytes(String key, ResultRef location) {
    long utf8 = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a surrogate pair counts 3 + 3, more than its 4: an upper bound
    }
    return varintBytes(utf8) + utf8 + varintBytes(location.partition()) + varintBytes(location.offset());
  }

  /** Bytes of Avro's zig-zag varint of {@code value}. */
  private static int varintBytes(long value) {
    long zigzag = (value << 1) ^ (value >> 63);
    int bytes = 1;
    while ((zigzag & ~0x7FL) != 0) {
      zigzag >>>= 7;
      bytes++;
    }
    return bytes;
  }
}
