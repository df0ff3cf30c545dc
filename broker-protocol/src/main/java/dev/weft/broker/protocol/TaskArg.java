package dev.weft.broker.protocol;

import java.util.List;

/** An argument of a ready task: a literal value, the location of another task's result, or a list of arguments. */
public sealed interface TaskArg permits TaskArg.Literal, TaskArg.Located, TaskArg.ArgList {
  /** A value, as the graph gave it. */
  record Literal(Object value) implements TaskArg {}

  /** The result at {@code ref}, which the worker reads from the results topic (or its cache). */
  record Located(ResultRef ref) implements TaskArg {}

  /** A list whose items are arguments. */
  record ArgList(List<TaskArg> items) implements TaskArg {
    public ArgList {
      items = List.copyOf(items);
    }
  }
}
