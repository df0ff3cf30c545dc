package dev.weft.function;

import java.util.Map;
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

  /** How many arguments {@code name} takes, or {@link NamedFunction#ANY_ARITY} when any number, or when not known. */
  default int arity(String name) {
    return NamedFunction.ANY_ARITY;
  }

  /** Functions that exist only in other JVMs: known by name, without bodies here. */
  static FunctionCatalog remote(Set<String> names, String description) {
    Map<String, Integer> any = new java.util.HashMap<>();
    names.forEach(name -> any.put(name, NamedFunction.ANY_ARITY));
    return remote(any, description);
  }

  /** Functions that exist only in other JVMs, with how many arguments each takes ({@link NamedFunction#ANY_ARITY}). */
  static FunctionCatalog remote(Map<String, Integer> arities, String description) {
    Map<String, Integer> known = Map.copyOf(arities);
    return new FunctionCatalog() {
      @Override
      public int arity(String name) {
        return known.getOrDefault(name, NamedFunction.ANY_ARITY);
      }

      @Override
      public boolean contains(String name) {
        return known.containsKey(name);
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
