package dev.weft.connectors.kafka;

import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;

/** Placeholder: the functions of this package are registered here. */
public final class TopicFunctions implements FunctionModule {
  @Override
  public String name() {
    return "kafka-topics";
  }

  @Override
  public void register(FunctionRegistry registry) {}
}
