package dev.weft.graph.optimize;

/**
 * A step of a fused task failed: names the step's own key and function, as the task would have been named had it not
 * been fused, and carries what the step threw.
 */
public final class FusedStepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String step;
  private final String function;

  public FusedStepException(String step, String function, Throwable cause) {
    super("step '" + step + "' (" + function + ") failed: " + cause, cause);
    this.step = step;
    this.function = function;
  }

  /** The key the failing step had before it was fused. */
  public String step() {
    return step;
  }

  /** The function of the failing step. */
  public String function() {
    return function;
  }
}
