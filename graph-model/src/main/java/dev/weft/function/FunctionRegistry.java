package dev.weft.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Resolves function names to bodies.
 *
 * <p>A registry is filled from {@link FunctionModule}s (the classpath's, a plugin folder's) and, for the in-process
 * schedulers, by programmatic {@link #register} calls. Lookups are safe from any thread. A name can be registered
 * once: two modules that claim the same name are a configuration error, reported with both module names.
 */
public final class FunctionRegistry implements FunctionCatalog {
  private static volatile FunctionRegistry global;

  private final Map<String, TaskFunction> functions = new ConcurrentHashMap<>();
  private final Map<String, String> origins = new ConcurrentHashMap<>();
  private final Map<String, Integer> arities = new ConcurrentHashMap<>();
  private final List<String> modules = new ArrayList<>();
  private String registeringModule = "programmatic";

  /** An empty registry. */
  public FunctionRegistry() {}

  /**
   * The registry of this JVM's in-process schedulers: every module on the classpath of this class's loader, plus
   * what the application registers. Created on first use.
   */
  public static FunctionRegistry global() {
    FunctionRegistry registry = global;
    if (registry == null) {
      synchronized (FunctionRegistry.class) {
        registry = global;
        if (registry == null) {
          registry = fromClassLoader(FunctionRegistry.class.getClassLoader());
          global = registry;
        }
      }
    }
    return registry;
  }

  /** A registry of every {@link FunctionModule} that {@code loader} finds through {@link ServiceLoader}. */
  public static FunctionRegistry fromClassLoader(ClassLoader loader) {
    FunctionRegistry registry = new FunctionRegistry();
    for (FunctionModule module : ServiceLoader.load(FunctionModule.class, loader)) {
      registry.install(module);
    }
    return registry;
  }

  /**
   * Adds the modules of every jar in {@code folder}, each jar in a class loader of its own whose parent is Weft's, so
   * that plugins do not see each other's classes.
   *
   * @throws IllegalArgumentException if {@code folder} is not a folder, or its jars hold no function module: a plugin
   *     folder given by mistake must not leave every function of it "unknown" with nothing said
   */
  public FunctionRegistry loadPlugins(Path folder) {
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException("plugin folder " + folder + " does not exist (or is not a folder)");
    }
    int before = modules().size();
    List<Path> jars;
    try (Stream<Path> entries = Files.list(folder)) {
      jars = entries.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list plugin folder " + folder, e);
    }
    for (Path jar : jars) {
      URLClassLoader loader;
      try {
        loader = new URLClassLoader("weft-plugin-" + jar.getFileName(), new URL[] {jar.toUri().toURL()},
            FunctionModule.class.getClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("bad plugin path " + jar, e);
      }
      for (FunctionModule module : ServiceLoader.load(FunctionModule.class, loader)) {
        // The parent's modules are visible through the child loader too; take only the jar's own.
        if (module.getClass().getClassLoader() == loader) {
          install(module);
        }
      }
    }
    if (modules().size() == before) {
      throw new IllegalArgumentException("plugin folder " + folder + " holds no function module (its jars: "
          + jars.stream().map(jar -> jar.getFileName().toString()).toList() + "); a plugin jar lists its "
          + FunctionModule.class.getSimpleName() + " classes in META-INF/services/" + FunctionModule.class.getName());
    }
    return this;
  }

  /**
   * Checks, without loading any class, that {@code folder} is a plugin folder: it exists and one of its jars lists a
   * {@link FunctionModule}. For a JVM that does not run the plugins itself (the caller of worker JVMs), so that a wrong
   * folder is said where it was given.
   *
   * @throws IllegalArgumentException as {@link #loadPlugins(Path)} would
   */
  public static void checkPluginFolder(Path folder) {
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException("plugin folder " + folder + " does not exist (or is not a folder)");
    }
    List<String> jars = new ArrayList<>();
    try (Stream<Path> entries = Files.list(folder)) {
      for (Path jar : entries.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
        jars.add(jar.getFileName().toString());
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
          if (file.getEntry("META-INF/services/" + FunctionModule.class.getName()) != null) {
            return;
          }
        } catch (IOException notAJar) {
          // not a jar after all: it holds no module
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list plugin folder " + folder, e);
    }
    throw new IllegalArgumentException("plugin folder " + folder + " holds no function module (its jars: " + jars
        + "); a plugin jar lists its " + FunctionModule.class.getSimpleName() + " classes in META-INF/services/"
        + FunctionModule.class.getName());
  }

  /** The module that registered {@code name}, or null if none did ("programmatic" for code that registered it). */
  public String moduleOf(String name) {
    return origins.get(name);
  }

  /** Registers every function of {@code module}. */
  public synchronized FunctionRegistry install(FunctionModule module) {
    String previous = registeringModule;
    registeringModule = module.name();
    try {
      module.register(this);
    } finally {
      registeringModule = previous;
    }
    modules.add(module.name());
    return this;
  }

  /**
   * Registers {@code body} under {@code name}.
   *
   * @throws IllegalStateException if the name is taken
   */
  public synchronized FunctionRegistry register(String name, TaskFunction body) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a function name must not be empty");
    }
    if (body == null) {
      throw new IllegalArgumentException("function '" + name + "' has no body");
    }
    TaskFunction existing = functions.putIfAbsent(name, body);
    if (existing != null) {
      throw new IllegalStateException("function '" + name + "' is registered twice: by " + origins.get(name)
          + " and by " + registeringModule);
    }
    origins.put(name, registeringModule);
    return this;
  }

  /** Registers a typed function under its own name, with its arity: a call with other arguments is refused. */
  public synchronized FunctionRegistry register(NamedFunction function) {
    register(function.name(), function.body());
    if (function.arity() != NamedFunction.ANY_ARITY) {
      arities.put(function.name(), function.arity());
    }
    return this;
  }

  @Override
  public int arity(String name) {
    return arities.getOrDefault(name, NamedFunction.ANY_ARITY);
  }

  /** Registers {@code body} under {@code name}, replacing any function registered there before. */
  public synchronized FunctionRegistry replace(String name, TaskFunction body) {
    arities.remove(name); // a body given without a signature takes any arguments
    functions.put(name, body);
    origins.put(name, registeringModule);
    return this;
  }

  /** The body registered under {@code name}, or null. */
  @Override
  public TaskFunction lookup(String name) {
    return functions.get(name);
  }

  /**
   * The body registered under {@code name}.
   *
   * @throws UnknownFunctionException if no module registered it
   */
  public TaskFunction require(String name) {
    TaskFunction function = functions.get(name);
    if (function == null) {
      throw new UnknownFunctionException(name, describeModules());
    }
    return function;
  }

  @Override
  public boolean contains(String name) {
    return functions.containsKey(name);
  }

  public Set<String> names() {
    return new TreeSet<>(functions.keySet());
  }

  /** Names of the modules installed, in order. */
  public synchronized List<String> modules() {
    return List.copyOf(modules);
  }

  /** "loaded modules: builtins, test-functions" for messages. */
  @Override
  public synchronized String describeModules() {
    return modules.isEmpty() ? "no function modules are loaded" : "loaded modules: " + String.join(", ", modules);
  }
}
