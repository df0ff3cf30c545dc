package dev.weft.cli;

import dev.weft.function.FunctionRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Lists the functions that graphs may name here. */
@Command(name = "functions", description = "List the registered functions and the modules they come from.")
final class FunctionsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    FunctionRegistry registry = FunctionRegistry.global();
    System.out.println(registry.describeModules());
    registry.names().forEach(System.out::println);
    return 0;
  }
}
