package dev.weft.graph;

import java.util.List;

/**
 * A graph that cannot run, with every problem found and the keys each one concerns.
 *
 * <p>Schedulers raise it before any task runs; the broker scheduler turns it into a rejection event. The message
 * lists the problems (the first twenty of them), one a line.
 */
public class GraphValidationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int LISTED_PROBLEMS = 20;

  /** What is wrong. */
  public enum Kind {
    /** Two tasks have the same key. */
    DUPLICATE_KEY,
    /** A task references a key that no task of the graph has. */
    MISSING_DEPENDENCY,
    /** Tasks depend on each other in a circle; the keys are the circle in dependency order. */
    CYCLE,
    /** A task names a function that no loaded module registered. */
    UNKNOWN_FUNCTION,
    /** The caller asked for a key that no task of the graph has. */
    UNKNOWN_OUTPUT,
    /** The graph's encoding is of a version or form this reader does not know. */
    UNSUPPORTED_FORMAT,
    /** A task's own fields are out of range, such as negative retries: the key is the task's. */
    INVALID_TASK,
    /** A task gives its function another number of arguments than the function takes: the key is the task's. */
    WRONG_ARGUMENTS,
    /** A record template refers to a field a record does not have, or names a task as a record field. */
    INVALID_TEMPLATE
  }

  /** One problem: its kind, the keys it concerns, and a sentence that names them. */
  public record Problem(Kind kind, List<String> keys, String message) {
    public Problem {
      keys = List.copyOf(keys);
    }

    @Override
    public String toString() {
      return message;
    }
  }

  private final transient List<Problem> problems;

  public GraphValidationException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public GraphValidationException(Problem problem) {
    this(List.of(problem));
  }

  public List<Problem> problems() {
    return problems;
  }

  /** The problems of one kind. */
  public List<Problem> problems(Kind kind) {
    return problems.stream().filter(p -> p.kind() == kind).toList();
  }

  private static String render(List<Problem> problems) {
    if (problems.size() == 1) {
      return "invalid graph: " + problems.get(0).message();
    }
    StringBuilder text = new StringBuilder("invalid graph: ").append(problems.size()).append(" problems");
    for (int i = 0; i < Math.min(problems.size(), LISTED_PROBLEMS); i++) {
      text.append("\n  - ").append(problems.get(i).message());
    }
    if (problems.size() > LISTED_PROBLEMS) {
      text.append("\n  - ... and ").append(problems.size() - LISTED_PROBLEMS).append(" more");
    }
    return text.toString();
  }
}
