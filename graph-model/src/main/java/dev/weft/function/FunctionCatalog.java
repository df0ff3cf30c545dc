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

  /** What {@code name} takes and returns; {@link Signature#ANY} when it declared nothing, or is not known. */
  default Signature signature(String name) {
    return Signature.ANY;
  }

  /** How many arguments {@code name} takes, or {@link NamedFunction#ANY_ARITY} when any number, or when not known. */
  default int arity(String name) {
    return signature(name).arity();
  }

  /** Functions that exist only in other JVMs: known by name, without bodies here. */
  static FunctionCatalog remote(Set<String> names, String description) {
    Map<String, Signature> any = new java.util.HashMap<>();
    names.forEach(name -> any.put(name, Signature.ANY));
    return remote(any, description);
  }

  /** Functions that exist only in other JVMs, with their signatures. */
  static FunctionCatalog remote(Map<String, Signature> signatures, String description) {
    Map<String, Signature> known = Map.copyOf(signatures);
    return new FunctionCatalog() {
      @Override
      public Signature signature(String name) {
        return known.getOrDefault(name, Signature.ANY);
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
