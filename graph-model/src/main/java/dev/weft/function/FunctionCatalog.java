package dev.weft.function;

import java.util.Set;

/**
 * What a graph's function names are checked against before it runs: a {@link FunctionRegistry} of this JVM, or the
 * names that worker JVMs reported, whose bodies live only there.
 */
public interface FunctionCatalog {
  /** Whether {@code name} is a function that tasks may name. */
  boolean contains(String name);

  /** The body of {@code name} if it runs in this JVM; null if it is unknown or runs elsewhere. */
  TaskFunction lookup(String name);

  /** A phrase for error messages, such as "loaded modules: builtins, plugin-x". */
  String describeModules();

  /** Functions that exist only in other JVMs: known by name, without bodies here. */
  static FunctionCatalog remote(Set<String> names, String description) {
    Set<String> known = Set.copyOf(names);
    return new FunctionCatalog() {
      @Override
      public boolean contains(String name) {
        return known.contains(name);
      }

      @Override
      public TaskFunction lookup(String name) {
        return null;
      }

      @Override
      public String describeModules() {
        return description;
      }
    };
  }
}
