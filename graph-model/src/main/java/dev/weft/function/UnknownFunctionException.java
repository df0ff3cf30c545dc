package dev.weft.function;

/** A task named a function that no loaded module registered. */
public class UnknownFunctionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String function;

  public UnknownFunctionException(String function, String loaded) {
    super("unknown function '" + function + "': no loaded module registers it (" + loaded + ")");
    this.function = function;
  }

  public String function() {
    return function;
  }
}
