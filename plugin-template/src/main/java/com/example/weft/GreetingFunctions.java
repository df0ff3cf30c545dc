package com.example.weft;

import dev.weft.function.Fn1;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;

/**
 * A plugin's functions: a {@link FunctionModule} that registers them by name, listed in
 * {@code META-INF/services/dev.weft.function.FunctionModule}. Arguments and results are Weft values (null, booleans,
 * numbers, strings, bytes, lists, maps, Avro records). Declaring their classes gives each function a signature
 * ({@code weft functions} shows it): a graph that passes a number to {@code example.greet} is refused before it runs.
 */
public final class GreetingFunctions implements FunctionModule {
  /** greet(name): "hello, name". */
  public static final Fn1<String, String> GREET = Fn1.of("example.greet", String.class, String.class,
      name -> "hello, " + name);
  /** word-count(text): how many words the text has. */
  public static final Fn1<String, Long> WORD_COUNT = Fn1.of("example.word-count", String.class, Long.class,
      text -> (long) text.trim().split("\\s+").length);

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
