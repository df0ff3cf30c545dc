package dev.weft.cli;

import dev.weft.function.FunctionRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Lists the functions that graphs may name here. */
@Command(name = "functions", description = "List the functions graphs may name: what each takes and returns, and its module.")
final class FunctionsCommand implements Callable<Integer> {
  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() {
    FunctionRegistry registry = plugins.registry();
    System.out.println(registry.describeModules());
    int width = registry.names().stream().mapToInt(String::length).max().orElse(0);
    int signatureWidth = registry.names().stream().mapToInt(name -> registry.signature(name).toString().length())
        .max().orElse(0);
    String row = "%-" + width + "s  %-" + signatureWidth + "s  %s%n";
    System.out.printf(row, "function", "signature", "module");
    registry.names().forEach(name -> System.out.printf(row, name, registry.signature(name), registry.moduleOf(name)));
    return 0;
  }
}
