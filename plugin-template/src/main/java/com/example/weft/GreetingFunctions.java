package com.example.weft;

import dev.weft.function.Fn1;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;

/**
 * A plugin's functions: a {@link FunctionModule} that registers them by name, listed in
 * {@code META-INF/services/dev.weft.function.FunctionModule}. Arguments and results are Weft values (null, booleans,
 * numbers, strings, bytes, lists, maps, Avro records).
 */
public final class GreetingFunctions implements FunctionModule {
  /** greet(name): "hello, name". */
  public static final Fn1<Object, String> GREET = Fn1.of("example.greet", name -> "hello, " + name);
  /** word-count(text): how many words the text has. */
  public static final Fn1<Object, Long> WORD_COUNT = Fn1.of("example.word-count",
      text -> (long) text.toString().trim().split("\\s+").length);

  @Override
  public String name() {
    return "example-greetings";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register(GREET);
    registry.register(WORD_COUNT);
  }
}
