package dev.weft.function;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Plugin jars built by tests: a {@link FunctionModule} compiled from source into a jar, so that its class is on no
 * class path but the jar's. Shared with other modules' tests through this module's test jar.
 */
public final class PluginJars {
  private PluginJars() {}

  /**
   * Builds {@code jar} holding module {@code plugin-NAME} with functions {@code NAME.hello} (returning
   * {@code greeting}, a Java expression) and {@code NAME.loader} (the name of the class loader of the module).
   *
   * @param work a folder for the sources and classes
   */
  public static Path build(Path jar, String name, String greeting, Path work) {
    return build(jar, name, greeting, work, java.util.Map.of());
  }

  /**
   * As {@link #build(Path, String, String, Path)}, with more classes in the jar: {@code bundled} maps class names to
   * their sources (a library the plugin bundles, say). The module also has {@code NAME.context}, the name of the
   * thread's context class loader while it runs.
   */
  public static Path build(Path jar, String name, String greeting, Path work, java.util.Map<String, String> bundled) {
    try {
      Path src = Files.createDirectories(work.resolve("src-" + name));
      Path classes = Files.createDirectories(work.resolve("classes-" + name));
      java.util.List<String> sources = new java.util.ArrayList<>();
      Path shared = Files.createDirectories(src.resolve("plugin")).resolve("Shared.java");
      Files.writeString(shared, """
          package plugin;
          public class Shared implements dev.weft.function.FunctionModule {
            public String name() { return "plugin-%1$s"; }
            public void register(dev.weft.function.FunctionRegistry registry) {
              registry.register("%1$s.hello", args -> %2$s);
              registry.register("%1$s.loader", args -> Shared.class.getClassLoader().getName());
              registry.register("%1$s.context", args -> Thread.currentThread().getContextClassLoader().getName());
            }
          }
          """.formatted(name, greeting));
      sources.add(shared.toString());
      for (java.util.Map.Entry<String, String> library : bundled.entrySet()) {
        Path file = src.resolve(library.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, library.getValue());
        sources.add(file.toString());
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("-d", classes.toString(), "-cp",
          System.getProperty("java.class.path")));
      arguments.addAll(sources);
      int status = javac.run(null, null, null, arguments.toArray(String[]::new));
      if (status != 0) {
        throw new IllegalStateException("javac failed on the plugin " + name);
      }
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
           java.util.stream.Stream<Path> compiled = Files.walk(classes)) {
        for (Path classFile : compiled.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(classFile).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(classFile));
        }
        out.putNextEntry(new JarEntry("META-INF/services/dev.weft.function.FunctionModule"));
        out.write("plugin.Shared\n".getBytes(StandardCharsets.UTF_8));
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
