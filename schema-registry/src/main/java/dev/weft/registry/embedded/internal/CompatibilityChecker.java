package dev.weft.registry.embedded.internal;

import dev.weft.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Whether a new schema may follow a subject's earlier versions under a compatibility level, and why not. */
public final class CompatibilityChecker {
  private CompatibilityChecker() {}

  /**
   * The reasons {@code candidate} breaks {@code level} against {@code previous} (oldest first); empty when it does
   * not. A non-transitive level checks against the last of {@code previous} only. The messages follow Confluent's
   * verbose form: one per incompatibility, then the version and schema it was found against, then the level.
   */
  public static List<String> check(CompatibilityLevel level, Schema candidate, List<RegistryState.Version> previous) {
    if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
      return List.of();
    }
    List<RegistryState.Version> against = level.transitive() ? previous
        : List.of(previous.get(previous.size() - 1));
    for (int i = against.size() - 1; i >= 0; i--) { // newest first: the likeliest to matter to whoever reads this
      RegistryState.Version old = against.get(i);
      List<String> messages = new ArrayList<>();
      if (level.backward()) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema().schema()),
            "the new schema cannot read data written with version " + old.version(), messages);
      }
      if (level.forward()) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(old.schema().schema(), candidate),
            "version " + old.version() + " cannot read data written with the new schema", messages);
      }
      if (!messages.isEmpty()) {
        messages.add("{oldSchemaVersion: " + old.version() + "}");
        messages.add("{oldSchema: '" + old.schema().text() + "'}");
        messages.add("{compatibility: '" + level + "'}");
        return messages;
      }
    }
    return List.of();
  }

  private static void describe(SchemaPairCompatibility pair, String direction, List<String> messages) {
    if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
      messages.add("{errorType:'" + incompatibility.getType() + "', description:'" + direction + ": "
          + incompatibility.getMessage() + " at path '" + incompatibility.getLocation() + "'', additionalInfo:'"
          + incompatibility.getMessage() + "'}");
    }
  }
}
