package dev.weft.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionRegistryTest {
  @TempDir
  Path temp;

  @Test
  void serviceLoaderFindsTheBuiltins() throws Exception {
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(getClass().getClassLoader());
    assertTrue(registry.modules().contains("builtins"));
    assertEquals(3L, registry.require("add").apply(1L, 2L));
  }

  @Test
  void unknownFunctionIsNamedWithTheLoadedModules() throws Exception {
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(getClass().getClassLoader());
    UnknownFunctionException e = assertThrows(UnknownFunctionException.class, () -> registry.require("nope"));
    assertTrue(e.getMessage().startsWith("unknown function 'nope': no loaded module registers it (loaded modules: "
        + "builtins"), e.getMessage());
    assertNull(registry.lookup("nope"));
  }

  @Test
  void aNameCanBeRegisteredOnce() throws Exception {
    FunctionRegistry registry = new FunctionRegistry();
    registry.register("f", args -> 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry.register("f", args -> 2));
    assertEquals("function 'f' is registered twice: by programmatic and by programmatic", e.getMessage());
    registry.replace("f", args -> 3);
    assertEquals(3, registry.lookup("f").apply());
  }

  @Test
  void pluginJarsLoadInClassLoadersOfTheirOwn() throws Exception {
    // Two jars with a class of the same name that answer differently: each module sees its own.
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    buildPlugin(plugins.resolve("alpha.jar"), "alpha", "\"from alpha\"");
    buildPlugin(plugins.resolve("beta.jar"), "beta", "\"from beta\"");
    FunctionRegistry registry = new FunctionRegistry().loadPlugins(plugins);
    assertEquals(List.of("plugin-alpha", "plugin-beta"), registry.modules());
    assertEquals("from alpha", registry.require("alpha.hello").apply());
    assertEquals("from beta", registry.require("beta.hello").apply());
    assertEquals("weft-plugin-alpha.jar", registry.require("alpha.loader").apply());
  }

  @Test
  void missingPluginFolderAddsNothing() {
    assertEquals(List.of(), new FunctionRegistry().loadPlugins(temp.resolve("absent")).modules());
  }

  /** Compiles a FunctionModule from source into a jar, so its class is on no classpath but the jar's. */
  private void buildPlugin(Path jar, String name, String greeting) throws IOException {
    Path src = Files.createDirectories(temp.resolve("src-" + name + "/plugin"));
    Path classes = Files.createDirectories(temp.resolve("classes-" + name));
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
    int status = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        src.resolve("Shared.java").toString());
    assertEquals(0, status);
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("plugin/Shared.class"));
      out.write(Files.readAllBytes(classes.resolve("plugin/Shared.class")));
      out.putNextEntry(new JarEntry("META-INF/services/dev.weft.function.FunctionModule"));
      out.write("plugin.Shared\n".getBytes(StandardCharsets.UTF_8));
    }
  }
}
