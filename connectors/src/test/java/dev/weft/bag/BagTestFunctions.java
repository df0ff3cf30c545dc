package dev.weft.bag;

import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import java.util.List;

/** Functions the bag tests name, so that they run on every scheduler (worker JVMs find them on the classpath). */
public final class BagTestFunctions implements FunctionModule {
  @Override
  public String name() {
    return "bag-test-functions";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register("test.even", args -> ((Number) args[0]).longValue() % 2 == 0);
    registry.register("test.mod", args -> Math.floorMod(((Number) args[0]).longValue(),
        ((Number) args[1]).longValue()));
    registry.register("test.mod3", args -> Math.floorMod(((Number) args[0]).longValue(), 3L));
    registry.register("test.negate", args -> -((Number) args[0]).longValue());
    registry.register("test.twice", args -> List.of(args[0], args[0]));
    registry.register("test.fail-on", args -> {
      if (args[0].equals(args[1])) {
        throw new IllegalStateException("item " + args[0] + " fails on purpose");
      }
      return args[0];
    });
    registry.register("test.sizes", args -> List.of((long) ((List<?>) args[0]).size()));
  }
}
