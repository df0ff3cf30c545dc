package dev.weft.graph.codec;

import dev.weft.avro.Argument;
import dev.weft.avro.ArgumentList;
import dev.weft.avro.GraphSpec;
import dev.weft.avro.RecordValue;
import dev.weft.avro.TaskRef;
import dev.weft.avro.TaskSpec;
import dev.weft.avro.Value;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 loads generated classes by the names in their schemas only if it trusts them; it trusts none of ours by
 * default. This adds exactly Weft's generated record classes to the trusted set, once, and nothing else: names that
 * arrive in data still cannot make Avro load an arbitrary class.
 */
public final class GeneratedClasses {
  private static volatile boolean trusted;

  private GeneratedClasses() {}

  public static void trust() {
    if (trusted) {
      return;
    }
    synchronized (GeneratedClasses.class) {
      if (!trusted) {
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
            ClassSecurityValidator.builder()
                .add(GraphSpec.class).add(TaskSpec.class).add(Argument.class).add(ArgumentList.class)
                .add(TaskRef.class).add(Value.class).add(RecordValue.class)
                .build()));
        trusted = true;
      }
    }
  }
}
