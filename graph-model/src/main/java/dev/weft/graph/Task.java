package dev.weft.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A task: the function registered under {@code function}, applied to {@code args}, with its annotations.
 *
 * <p>{@code priority} orders ready tasks (higher first; ties follow the static order), {@code retries} bounds how
 * many times a failed attempt is run again, {@code pool} routes the task to a worker pool (null for the default pool)
 * and {@code resources} names abstract resources the task holds while it runs. The local schedulers honour priority
 * and retries; pools and resources are for schedulers with several kinds of workers.
 */
public record Task(
    String key,
    String function,
    List<Arg> args,
    int priority,
    int retries,
    String pool,
    Map<String, Double> resources) {

  public Task {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(function, "function");
    args = List.copyOf(args);
    resources = Map.copyOf(resources);
    if (retries < 0) {
      throw new IllegalArgumentException("task '" + key + "': retries must be >= 0, was " + retries);
    }
  }

  /** A task without annotations; each of {@code args} is converted by {@link Arg#of(Object)}. */
  public static Task of(String key, String function, Object... args) {
    List<Arg> converted = new ArrayList<>(args.length);
    for (Object arg : args) {
      converted.add(Arg.of(arg));
    }
    return new Task(key, function, converted, 0, 0, null, Map.of());
  }

  public Task withPriority(int priority) {
    return new Task(key, function, args, priority, retries, pool, resources);
  }

  public Task withRetries(int retries) {
    return new Task(key, function, args, priority, retries, pool, resources);
  }

  public Task withPool(String pool) {
    return new Task(key, function, args, priority, retries, pool, resources);
  }

  public Task withResources(Map<String, Double> resources) {
    return new Task(key, function, args, priority, retries, pool, resources);
  }

  /** Calls {@code visitor} with the key of every reference among the arguments, nested lists included. */
  public void forEachDependency(Consumer<String> visitor) {
    for (Arg arg : args) {
      visitRefs(arg, visitor);
    }
  }

  /** The keys this task references, in argument order, with repeats. */
  public List<String> dependencies() {
    List<String> keys = new ArrayList<>(2);
    forEachDependency(keys::add);
    return keys;
  }

  private static void visitRefs(Arg arg, Consumer<String> visitor) {
    if (arg instanceof Arg.Ref) {
      visitor.accept(((Arg.Ref) arg).key());
    } else if (arg instanceof Arg.ListArg) {
      for (Arg item : ((Arg.ListArg) arg).items()) {
        visitRefs(item, visitor);
      }
    }
  }

  @Override
  public String toString() {
    return key + " = " + function + args;
  }
}
