package dev.weft.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
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
 *
 * <p>A registry that loaded a plugin folder looks in it again when asked for a function it does not know, and loads
 * the jars added since (a service keeps running while plugins are deployed next to it). A jar already loaded is not
 * loaded again: a changed or removed jar takes a restart. Copy a jar in under a temporary name that does not end in
 * {@code .jar} and rename it, so that it is never read half written; one that cannot be read is tried again at the
 * next unknown name, and said in the unknown-function error meanwhile.
 *
 * <p>Each plugin jar has a child-first class loader of its own ({@link PluginClassLoader}: its own libraries win over
 * Weft's, except for Weft's API, Avro, SLF4J and the JDK), which is the thread's context class loader while the
 * plugin registers its functions and while they run. {@link #close()} closes the loaders.
 */
public final class FunctionRegistry implements FunctionCatalog, AutoCloseable {
  private static volatile FunctionRegistry global;

  private final Map<String, TaskFunction> functions = new ConcurrentHashMap<>();
  private final Map<String, String> origins = new ConcurrentHashMap<>();
  private final Map<String, Signature> signatures = new ConcurrentHashMap<>();
  private final List<String> modules = new ArrayList<>();
  private final List<Path> pluginFolders = new ArrayList<>(); // guarded by this
  private final Set<Path> loadedJars = new java.util.HashSet<>(); // guarded by this
  private final Map<Path, String> unreadableJars = new java.util.TreeMap<>(); // guarded by this
  private final List<PluginClassLoader> pluginLoaders = new ArrayList<>(); // guarded by this
  /** Where names this registry does not hold are looked up; null for a registry of its own. */
  private final FunctionRegistry parent;
  private String registeringModule = "programmatic";
  private ClassLoader registeringLoader; // the plugin loader of the module registering now, or null

  /** An empty registry. */
  public FunctionRegistry() {
    this(null);
  }

  private FunctionRegistry(FunctionRegistry parent) {
    this.parent = parent;
  }

  /**
   * An empty registry over {@code parent}: a name it does not hold is looked up in {@code parent}. For functions that
   * live only as long as one compute (a bag's lambdas), which must not stay in a shared registry after it.
   */
  public static FunctionRegistry over(FunctionRegistry parent) {
    return new FunctionRegistry(java.util.Objects.requireNonNull(parent, "parent"));
  }

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
  public synchronized FunctionRegistry loadPlugins(Path folder) {
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException("plugin folder " + folder + " does not exist (or is not a folder)");
    }
    int before = modules().size();
    List<Path> jars = jarsIn(folder);
    for (Path jar : jars) {
      loadJar(jar);
    }
    pluginFolders.add(folder);
    if (modules().size() == before) {
      throw noModule(folder, jars);
    }
    return this;
  }

  private static IllegalArgumentException noModule(Path folder, List<Path> jars) {
    return new IllegalArgumentException("plugin folder " + folder + " holds no function module (its jars: "
        + jars.stream().map(jar -> jar.getFileName().toString()).toList() + "); a plugin jar lists its "
        + FunctionModule.class.getSimpleName() + " classes in META-INF/services/" + FunctionModule.class.getName());
  }

  /**
   * Loads the jars added to the plugin folders since they were read.
   *
   * @return the modules installed now; a jar that cannot be loaded is left for the next call, and named by
   *     {@link #describeModules()} meanwhile
   */
  public synchronized List<String> loadNewPlugins() {
    int before = modules.size();
    for (Path folder : pluginFolders) {
      List<Path> jars;
      try {
        jars = jarsIn(folder);
      } catch (UncheckedIOException e) {
        continue; // the folder went away: what was loaded from it stays
      }
      for (Path jar : jars) {
        if (!loadedJars.contains(jar)) {
          try {
            loadJar(jar);
            unreadableJars.remove(jar);
          } catch (RuntimeException | ServiceConfigurationError e) {
            unreadableJars.put(jar, e.toString());
          }
        }
      }
    }
    return List.copyOf(modules.subList(before, modules.size()));
  }

  private static List<Path> jarsIn(Path folder) {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list plugin folder " + folder, e);
    }
  }

  private void loadJar(Path jar) {
    // A class loader skips a jar it cannot read, silently: a jar read while it is being copied would never be read
    // again. Opened first, it is refused until it is whole.
    try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
      file.size();
    } catch (IOException e) {
      throw new IllegalArgumentException("plugin jar " + jar + " cannot be read as a jar: " + e.getMessage(), e);
    }
    PluginClassLoader loader;
    try {
      loader = new PluginClassLoader("weft-plugin-" + jar.getFileName(), jar.toUri().toURL(),
          FunctionModule.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("bad plugin path " + jar, e);
    }
    List<FunctionModule> found = new ArrayList<>();
    try {
      for (FunctionModule module : ServiceLoader.load(FunctionModule.class, loader)) {
        // The parent's modules are visible through the child loader too; take only the jar's own.
        if (module.getClass().getClassLoader() == loader) {
          found.add(module);
        }
      }
    } catch (RuntimeException | ServiceConfigurationError e) {
      try {
        loader.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    // Found in full before any is installed, so that a jar read half written installs nothing and can be read again.
    loadedJars.add(jar);
    pluginLoaders.add(loader);
    found.forEach(this::install);
  }

  /** A name not known yet may be in a jar added to a plugin folder since: the folders are read again. */
  private boolean foundInNewPlugins(String name) {
    if (name == null) {
      return false;
    }
    synchronized (this) {
      if (pluginFolders.isEmpty()) {
        return false;
      }
      loadNewPlugins();
      return functions.containsKey(name);
    }
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
    List<Path> jars = jarsIn(folder);
    for (Path jar : jars) {
      try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
        if (file.getEntry("META-INF/services/" + FunctionModule.class.getName()) != null) {
          return;
        }
      } catch (IOException notAJar) {
        // not a jar after all: it holds no module, as the error below says
      }
    }
    throw noModule(folder, jars);
  }

  /** The module that registered {@code name}, or null if none did ("programmatic" for code that registered it). */
  public String moduleOf(String name) {
    String origin = origins.get(name);
    return origin != null || parent == null ? origin : parent.moduleOf(name);
  }

  /** Registers every function of {@code module}. */
  public synchronized FunctionRegistry install(FunctionModule module) {
    String previous = registeringModule;
    ClassLoader previousLoader = registeringLoader;
    ClassLoader loader = module.getClass().getClassLoader();
    registeringModule = module.name();
    registeringLoader = loader instanceof PluginClassLoader ? loader : null;
    Thread thread = Thread.currentThread();
    ClassLoader context = thread.getContextClassLoader();
    if (registeringLoader != null) {
      thread.setContextClassLoader(registeringLoader);
    }
    try {
      module.register(this);
    } finally {
      thread.setContextClassLoader(context);
      registeringModule = previous;
      registeringLoader = previousLoader;
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
    if (parent != null && parent.contains(name)) {
      throw new IllegalStateException("function '" + name + "' is registered twice: by " + parent.moduleOf(name)
          + " and, over it, by " + registeringModule);
    }
    TaskFunction existing = functions.putIfAbsent(name, registeringLoader == null ? body
        : inContextOf(registeringLoader, body));
    if (existing != null) {
      throw new IllegalStateException("function '" + name + "' is registered twice: by " + origins.get(name)
          + " and by " + registeringModule);
    }
    origins.put(name, registeringModule);
    return this;
  }

  /** Registers a function under its own name, with its signature: a call with other arguments is refused. */
  public synchronized FunctionRegistry register(NamedFunction function) {
    Signature signature = function.signature();
    if (signature.equals(Signature.ANY) && function.arity() != NamedFunction.ANY_ARITY) {
      signature = Signature.untyped(function.arity()); // a function that declares only its arity
    }
    register(function.name(), function.body());
    if (!signature.equals(Signature.ANY)) {
      signatures.put(function.name(), signature);
    }
    return this;
  }

  @Override
  public Signature signature(String name) {
    Signature own = signatures.get(name);
    if (own != null || parent == null || functions.containsKey(name)) {
      return own != null ? own : Signature.ANY;
    }
    return parent.signature(name);
  }

  /**
   * {@code body} run with {@code loader} as the thread's context class loader: libraries that find classes or
   * resources through it (ServiceLoader, JAXB, logging back-ends) see the plugin's jar, as in Flink.
   */
  private static TaskFunction inContextOf(ClassLoader loader, TaskFunction body) {
    return args -> {
      Thread thread = Thread.currentThread();
      ClassLoader context = thread.getContextClassLoader();
      thread.setContextClassLoader(loader);
      try {
        return body.apply(args);
      } finally {
        thread.setContextClassLoader(context);
      }
    };
  }

  /**
   * Closes the class loaders of the plugin jars (their open jar files); the plugins' functions must not be called
   * after. The classpath's modules and functions registered in code are untouched.
   */
  @Override
  public synchronized void close() {
    IOException failure = null;
    for (PluginClassLoader loader : pluginLoaders) {
      try {
        loader.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    pluginLoaders.clear();
    if (failure != null) {
      throw new UncheckedIOException("cannot close every plugin jar", failure);
    }
  }

  /** Registers {@code body} under {@code name}, replacing any function registered there before. */
  public synchronized FunctionRegistry replace(String name, TaskFunction body) {
    signatures.remove(name); // a body given without a signature takes any arguments
    functions.put(name, body);
    origins.put(name, registeringModule);
    return this;
  }

  /** The body registered under {@code name}, or null. */
  @Override
  public TaskFunction lookup(String name) {
    TaskFunction function = functions.get(name);
    if (function == null && parent != null) {
      function = parent.lookup(name);
    }
    return function != null || !foundInNewPlugins(name) ? function : functions.get(name);
  }

  /**
   * The body registered under {@code name}.
   *
   * @throws UnknownFunctionException if no module registered it
   */
  public TaskFunction require(String name) {
    TaskFunction function = lookup(name);
    if (function == null) {
      throw new UnknownFunctionException(name, describeModules());
    }
    return function;
  }

  @Override
  public boolean contains(String name) {
    return functions.containsKey(name) || (parent != null && parent.contains(name)) || foundInNewPlugins(name);
  }

  public Set<String> names() {
    Set<String> names = parent == null ? new TreeSet<>() : parent.names();
    names.addAll(functions.keySet());
    return names;
  }

  /** Names of the modules installed, in order. */
  public synchronized List<String> modules() {
    if (parent == null) {
      return List.copyOf(modules);
    }
    List<String> all = new ArrayList<>(parent.modules());
    all.addAll(modules);
    return List.copyOf(all);
  }

  /** "loaded modules: builtins, test-functions" for messages. */
  @Override
  public synchronized String describeModules() {
    StringBuilder text = new StringBuilder(parent != null ? parent.describeModules()
        : modules.isEmpty() ? "no function modules are loaded" : "loaded modules: " + String.join(", ", modules));
    if (parent != null && !functions.isEmpty()) {
      text.append("; and ").append(functions.size()).append(" functions of this compute");
    }
    unreadableJars.forEach((jar, problem) -> text.append("; plugin jar ").append(jar).append(" could not be loaded: ")
        .append(problem));
    return text.toString();
  }
}
