package dev.weft.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;
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

  /** A plugin folder given by mistake is said, not taken for one without functions (it was silently ignored). */
  @Test
  void aPluginFolderThatIsMissingOrHoldsNoModuleIsRefusedByName() throws Exception {
    Path absent = temp.resolve("absent");
    assertEquals("plugin folder " + absent + " does not exist (or is not a folder)", assertThrows(
        IllegalArgumentException.class, () -> new FunctionRegistry().loadPlugins(absent)).getMessage());
    Path empty = Files.createDirectories(temp.resolve("empty"));
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(empty.resolve("not-a-plugin.jar")))) {
      jar.putNextEntry(new java.util.jar.JarEntry("README"));
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new FunctionRegistry().loadPlugins(empty))
        .getMessage().startsWith("plugin folder " + empty + " holds no function module (its jars: "
            + "[not-a-plugin.jar]); a plugin jar lists its FunctionModule classes in META-INF/services/"));
    // The check that loads no class says the same.
    assertEquals("plugin folder " + absent + " does not exist (or is not a folder)", assertThrows(
        IllegalArgumentException.class, () -> FunctionRegistry.checkPluginFolder(absent)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FunctionRegistry.checkPluginFolder(empty))
        .getMessage().startsWith("plugin folder " + empty + " holds no function module (its jars: [not-a-plugin.jar])"));
    Path plugin = Files.createDirectories(temp.resolve("one"));
    buildPlugin(plugin.resolve("gamma.jar"), "gamma", "\"from gamma\"");
    FunctionRegistry.checkPluginFolder(plugin);
  }

  /**
   * A service keeps running while plugins are deployed: a jar added to the folder is found when one of its functions is
   * asked for, and one caught half written is said and read again later, not skipped for good.
   */
  @Test
  void aJarAddedToThePluginFolderIsFoundWhenItsFunctionIsAskedFor() throws Exception {
    Path folder = Files.createDirectories(temp.resolve("live-plugins"));
    buildPlugin(folder.resolve("first.jar"), "first", "\"one\"");
    FunctionRegistry registry = new FunctionRegistry().loadPlugins(folder);
    assertFalse(registry.contains("second.hello"));

    Files.write(folder.resolve("second.jar"), new byte[] {'P', 'K', 3, 4, 0, 0}); // the first bytes of a copy
    assertFalse(registry.contains("second.hello"));
    assertTrue(registry.describeModules().contains("plugin jar " + folder.resolve("second.jar")
        + " could not be loaded"), registry.describeModules());

    Path built = buildPlugin(temp.resolve("second.jar"), "second", "\"two\"");
    Files.move(built, folder.resolve("second.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertTrue(registry.contains("second.hello"));
    assertEquals("two", registry.require("second.hello").apply());
    assertEquals(List.of("plugin-first", "plugin-second"), registry.modules());
    assertFalse(registry.describeModules().contains("could not be loaded"), registry.describeModules());

    buildPlugin(folder.resolve("third.jar"), "third", "\"three\"");
    assertEquals("three", registry.require("third.hello").apply(), "require reads the folder again too");
    assertEquals(List.of(), registry.loadNewPlugins(), "a jar is loaded once");
  }

  /**
   * A plugin that bundles its own version of a library Weft also carries (jackson-core, through Avro) runs with its own
   * (Weft's loaders were parent-first: the plugin got Weft's version and failed with NoSuchMethodError); classes of
   * Weft's API stay Weft's, even if a jar carries copies; the plugin's code runs with its loader as the context loader.
   */
  @Test
  void aPluginsOwnLibrariesWinButWeftsApiStaysWefts() throws Exception {
    Class<?> weftsJackson = Class.forName("com.fasterxml.jackson.core.Version");
    Path folder = Files.createDirectories(temp.resolve("bundling"));
    PluginJars.build(folder.resolve("lib.jar"), "lib", "com.fasterxml.jackson.core.Version.bundled() + \", \" + "
        + "(dev.weft.function.Arity.class == dev.weft.function.FunctionModule.class.getClassLoader()"
        + ".loadClass(\"dev.weft.function.Arity\") ? \"weft's api\" : \"a copy of weft's api\")", temp, Map.of(
            "com.fasterxml.jackson.core.Version", """
                package com.fasterxml.jackson.core;
                public class Version { public static String bundled() { return "the plugin's own jackson-core"; } }
                """,
            "dev.weft.function.Arity", """
                package dev.weft.function;
                public final class Arity { }
                """));
    try (FunctionRegistry registry = new FunctionRegistry().loadPlugins(folder)) {
      assertEquals("the plugin's own jackson-core, weft's api", registry.require("lib.hello").apply());
      ClassLoader before = Thread.currentThread().getContextClassLoader();
      assertEquals("weft-plugin-lib.jar", registry.require("lib.context").apply());
      assertSame(before, Thread.currentThread().getContextClassLoader(), "the caller's context loader is restored");
    }
    assertEquals("com.fasterxml.jackson.core.Version", weftsJackson.getName());
  }

  private Path buildPlugin(Path jar, String name, String greeting) {
    return PluginJars.build(jar, name, greeting, temp);
  }
}
