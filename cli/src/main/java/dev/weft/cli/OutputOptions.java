package dev.weft.cli;

import dev.weft.value.Values;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** What to compute of a graph file and how to show it: shared by {@code weft run} and {@code weft submit}. */
final class OutputOptions {
  @Option(names = {"-k", "--keys"}, split = ",", description = "Keys to compute (default: the graph's outputs).")
  List<String> keys;

  @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Show a progress bar on a terminal (default: on).")
  boolean progress;

  @Option(names = "--summary", description = "Print 'key = value' lines, large values in short (list[5]), instead of "
      + "a JSON object of the values.")
  boolean summary;

  /** The keys asked for, or null for the graph's outputs. */
  List<String> keysOrNull() {
    return keys == null || keys.isEmpty() ? null : keys;
  }

  /** Whether to draw a progress bar: asked for, and there is a terminal to draw it on. */
  boolean showsProgress() {
    return progress && System.console() != null;
  }

  /** Prints the values: a JSON object (see {@link ValueJson}), or with {@code --summary}, a line each in short. */
  void print(Map<String, Object> values) {
    if (summary) {
      values.forEach((key, value) -> System.out.println(key + " = " + Values.describe(value)));
    } else {
      System.out.println(ValueJson.write(values));
    }
  }
}
