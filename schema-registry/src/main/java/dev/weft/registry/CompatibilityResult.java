package dev.weft.registry;

import java.util.List;

/**
 * The registry's answer to a compatibility test.
 *
 * @param compatible whether the schema could be registered under the subject's compatibility level
 * @param messages why not, when the test asked for a verbose answer; otherwise empty
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
  public CompatibilityResult {
    messages = List.copyOf(messages);
  }
}
