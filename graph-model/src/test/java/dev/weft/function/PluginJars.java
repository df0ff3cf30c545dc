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
    try {
      Path src = Files.createDirectories(work.resolve("src-" + name + "/plugin"));
      Path classes = Files.createDirectories(work.resolve("classes-" + name));
      Files.writeString(src.resolve("Shared.java"), """
          package plugin;
          public class Shared implements dev.weft.function.FunctionModule {
            public String name() { return "plugin-%1$s"; }
            public void register(dev.weft.function.FunctionRegistry registry) {
              registry.register("%1$s.hello", args -> %2$s);
              registry.register("%1$s.loader", args -> Shared.class.getClassLoader().getName());
            }
          }
          """.formatted(name, greeting));
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      int status = javac.run(null, null, null, "-d", classes.toString(), "-cp",
          System.getProperty("java.class.path"), src.resolve("Shared.java").toString());
      if (status != 0) {
        throw new IllegalStateException("javac failed on the plugin " + name);
      }
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
        out.putNextEntry(new JarEntry("plugin/Shared.class"));
        out.write(Files.readAllBytes(classes.resolve("plugin/Shared.class")));
        out.putNextEntry(new JarEntry("META-INF/services/dev.weft.function.FunctionModule"));
        out.write("plugin.Shared\n".getBytes(StandardCharsets.UTF_8));
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
