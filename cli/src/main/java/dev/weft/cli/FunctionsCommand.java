package dev.weft.cli;

import dev.weft.function.FunctionRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Lists the functions that graphs may name here. */
@Command(name = "functions", description = "List the registered functions and the modules they come from.")
final class FunctionsCommand implements Callable<Integer> {
  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() {
    FunctionRegistry registry = plugins.registry();
    System.out.println(registry.describeModules());
    int width = registry.names().stream().mapToInt(String::length).max().orElse(0);
    registry.names().forEach(name -> System.out.printf("%-" + width + "s  %s%n", name, registry.moduleOf(name)));
    return 0;
  }
}
