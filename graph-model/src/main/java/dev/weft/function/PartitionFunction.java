package dev.weft.function;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.weft.value.Values;

/**
 * A function whose last argument is a list it reads item by item: a map or a filter of a collection's partition, a
 * partial count. Written as a {@link Stage}, it can be called as any function (the list is fed to its stage), and a
 * fused chain of such functions streams each item through all of them, so that no list between two steps is built
 * ({@link dev.weft.graph.optimize.GraphOptimizer}): as Dask's bag streams a partition through its fused steps.
 */
public interface PartitionFunction extends TaskFunction {
  /**
   * A stage of this function over the items of its last argument.
   *
   * @param leading the arguments before the list
   * @param downstream where a stage that makes items (a map) sends them, and whose {@link Stage#finish()} its own
   *     finish returns; a stage that reduces items (a count) ignores it
   */
  Stage open(Object[] leading, Stage downstream) throws Exception;

  /**
   * Whether this function's stage sends items downstream (a map) rather than reducing them to its result (a count):
   * a fused chain streams into the step after a stage only if it does.
   */
  default boolean passesItems() {
    return true;
  }

  @Override
  default Object apply(Object[] args) throws Exception {
    if (args.length == 0 || !(args[args.length - 1] instanceof List<?> items)) {
      throw new IllegalArgumentException("takes a list as its last argument, got "
          + (args.length == 0 ? "no arguments" : Values.describe(args[args.length - 1])));
    }
    Stage stage = open(Arrays.copyOf(args, args.length - 1), new Collect());
    for (Object item : items) {
      stage.accept(item);
    }
    return stage.finish();
  }

  /**
   * Takes items one at a time; {@link #finish()} once after the last. A stage holds no resource that needs closing (a
   * file, a client): a chain that fails midway drops its stages.
   */
  interface Stage {
    void accept(Object item) throws Exception;

    /** The function's result: what it reduced the items to, or its downstream's result. */
    Object finish() throws Exception;
  }

  /** The last stage of a chain whose last function makes items: gathers them into the list it returns. */
  final class Collect implements Stage {
    private final List<Object> items = new ArrayList<>();

    @Override
    public void accept(Object item) {
      items.add(item);
    }

    @Override
    public Object finish() {
      return items;
    }
  }
}
