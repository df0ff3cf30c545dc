package dev.weft.cli;

import dev.weft.function.FunctionRegistry;
import dev.weft.function.NamedFunction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Lists the functions that graphs may name here. */
@Command(name = "functions", description = "List the functions graphs may name: how many arguments each takes, and its module.")
final class FunctionsCommand implements Callable<Integer> {
  @Mixin
  PluginOptions plugins;

  @Override
  public Integer call() {
    FunctionRegistry registry = plugins.registry();
    System.out.println(registry.describeModules());
    int width = registry.names().stream().mapToInt(String::length).max().orElse(0);
    System.out.printf("%-" + width + "s  %-9s  %s%n", "function", "arguments", "module");
    registry.names().forEach(name -> System.out.printf("%-" + width + "s  %-9s  %s%n", name,
        registry.arity(name) == NamedFunction.ANY_ARITY ? "any" : Integer.toString(registry.arity(name)),
        registry.moduleOf(name)));
    return 0;
  }
}
