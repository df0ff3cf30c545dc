package dev.weft.bag;

import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;

/** Placeholder: the functions of this package are registered here. */
public final class BagFunctions implements FunctionModule {
  @Override
  public String name() {
    return "bag";
  }

  @Override
  public void register(FunctionRegistry registry) {}
}
