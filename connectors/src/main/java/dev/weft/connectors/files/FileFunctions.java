package dev.weft.connectors.files;

import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;

/** Placeholder: the functions of this package are registered here. */
public final class FileFunctions implements FunctionModule {
  @Override
  public String name() {
    return "files";
  }

  @Override
  public void register(FunctionRegistry registry) {}
}
