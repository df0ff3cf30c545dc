package dev.weft.cluster;

import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A module of the caller's own, on the test class path as a user's would be: its functions tell where a task ran, so
 * that a test sees whether the workers are JVMs of their own or this one.
 */
public final class WhereFunctions implements FunctionModule {
  /** Tasks of {@code cluster-test.pid} run in this JVM. */
  static final AtomicLong RUN_HERE = new AtomicLong();

  @Override
  public String name() {
    return "cluster-test";
  }

  @Override
  public void register(FunctionRegistry registry) {
    // pid(anything): the process id of the JVM that ran the task.
    registry.register("cluster-test.pid", args -> {
      RUN_HERE.incrementAndGet();
      return ProcessHandle.current().pid();
    });
  }
}
