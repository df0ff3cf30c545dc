package dev.weft.function;

/**
 * A plugin that contributes named functions, discovered through {@link java.util.ServiceLoader}.
 *
 * <p>A jar provides one by listing its class in {@code META-INF/services/dev.weft.function.FunctionModule}. Workers
 * load modules from their classpath and from a plugin folder, one class loader per jar, so a message can only name a
 * function that some loaded module registered: nothing that arrives over the wire chooses code to run.
 */
public interface FunctionModule {
  /** A short name for messages and logs, such as {@code "builtins"}. */
  String name();

  /** Registers this module's functions; called once per registry. */
  void register(FunctionRegistry registry);
}
