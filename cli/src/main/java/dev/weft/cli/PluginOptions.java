package dev.weft.cli;

import dev.weft.function.FunctionRegistry;
import dev.weft.local.process.ProcessPoolOptions;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.SchedulerOptions;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --plugins DIR}: a folder of plugin jars whose function modules a command uses besides the built-in ones. */
final class PluginOptions {
  /** The setting that gives schedulers and workers their plugin folder. */
  static final String PLUGIN_DIR = "weft.plugin.dir";

  @Option(names = "--plugins", paramLabel = "DIR",
      description = "Folder of plugin jars with function modules, each jar in a class loader of its own.")
  Path folder;

  /**
   * The functions this command sees: the class path's and the plugin folder's.
   *
   * @throws IllegalArgumentException if the folder does not exist or holds no function module
   */
  FunctionRegistry registry() {
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(FunctionRegistry.class.getClassLoader());
    return folder == null ? registry : registry.loadPlugins(folder);
  }

  /** {@code options} with the plugin folder's functions: in this JVM (sync, threads) and in worker JVMs (processes). */
  ComputeOptions applyTo(ComputeOptions options) {
    return folder == null ? options
        : options.with(SchedulerOptions.REGISTRY, registry()).with(ProcessPoolOptions.PLUGIN_DIR, folder);
  }

  /** {@code settings} for a scheduler and workers, with the plugin folder (checked first, so its error comes here). */
  void applyTo(Map<String, ? super String> settings) {
    if (folder != null) {
      registry();
      settings.put(PLUGIN_DIR, folder.toAbsolutePath().toString());
    }
  }
}
