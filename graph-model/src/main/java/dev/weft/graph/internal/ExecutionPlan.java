package dev.weft.graph.internal;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.NamedFunction;
import dev.weft.function.Signature;
import dev.weft.function.TaskFunction;
import dev.weft.function.ValueType;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.GraphValidationException.Kind;
import dev.weft.graph.GraphValidationException.Problem;
import dev.weft.graph.Task;
import dev.weft.graph.optimize.FusedFunctions;
import dev.weft.value.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph compiled for running: the tasks that the requested keys need, numbered densely, with their dependencies
 * and dependents as int arrays, their functions resolved and their static order computed. Compiling is where a graph
 * is validated; a plan that exists can run.
 *
 * <p>Tasks are numbered in graph order. {@link #rank(int)} is the static order in the spirit of {@code dask.order}:
 * a post-order walk from the outputs that visits a task's deeper dependencies first, so a branch is finished before
 * the next one starts and intermediates can be released early (on a tree it needs the fewest live results, as
 * Sethi-Ullman numbering does). Tasks with a higher {@link Task#priority()} come before lower ones; ties keep the
 * walk's order. The order depends only on the graph and the keys, never on hashing or timing.
 *
 * <p>Immutable and safe to share; the state of one run lives in the scheduler.
 */
public final class ExecutionPlan {
  private static final int PRIORITY_LIMIT = 1 << 30;
  private static final int LISTED_KEYS = 5;

  private final Graph graph;
  private final Task[] tasks;
  private final TaskFunction[] functions;
  private final int[] refStart;
  private final int[] refs;
  private final int[] dependencyCount;
  private final int[] dependentStart;
  private final int[] dependents;
  private final int[] rank;
  private final int[] byRank;
  private final int[] outputs;
  private final List<String> outputKeys;
  private final boolean[] isOutput;
  private final int[] planIndex;

  private ExecutionPlan(Graph graph, Task[] tasks, TaskFunction[] functions, int[] refStart, int[] refs,
      int[] dependencyCount, int[] dependentStart, int[] dependents, int[] rank, int[] byRank, int[] outputs,
      List<String> outputKeys, int[] planIndex) {
    this.graph = graph;
    this.planIndex = planIndex;
    this.tasks = tasks;
    this.functions = functions;
    this.refStart = refStart;
    this.refs = refs;
    this.dependencyCount = dependencyCount;
    this.dependentStart = dependentStart;
    this.dependents = dependents;
    this.rank = rank;
    this.byRank = byRank;
    this.outputs = outputs;
    this.outputKeys = outputKeys;
    this.isOutput = new boolean[tasks.length];
    for (int output : outputs) {
      isOutput[output] = true;
    }
  }

  /**
   * Compiles what {@code keys} need of {@code graph}.
   *
   * @param keys the keys to compute; null means the graph's outputs, and then every task is checked, so that a part
   *     of the graph that no output reaches (possible only through a cycle) is reported rather than ignored
   * @param functions checks function names and resolves those that run in this JVM; null skips the check (the names
   *     are then resolved where the tasks run)
   * @throws GraphValidationException naming every unknown key, missing dependency, unknown function, or a cycle
   */
  public static ExecutionPlan compile(Graph graph, List<String> keys, FunctionCatalog catalog) {
    List<Problem> problems = new ArrayList<>();
    List<String> outputKeys = keys == null ? graph.outputs() : keys;
    int[] planIndex = new int[graph.size()];
    Arrays.fill(planIndex, -1);
    int[] graphPositions = selectTasks(graph, keys == null ? null : outputKeys, planIndex, problems);
    int size = graphPositions.length;
    // Declared outputs name keys of the graph, whatever keys are computed: checked here, since a selection of the
    // whole graph is not checked again below.
    for (String key : keys == null ? outputKeys : graph.outputs()) {
      if (graph.positionOf(key) < 0) {
        problems.add(new Problem(Kind.UNKNOWN_OUTPUT, List.of(key), "requested key '" + key
            + "' is not in the graph"));
      }
    }
    if (keys != null && size < graph.size()) {
      // One rule on every scheduler: a graph is valid as a whole (no cycle, no missing key), whatever part of it is
      // computed. Dask culls first and ignores what the keys do not need; Weft's broker had always refused it.
      compile(graph, null, null);
    }
    Task[] tasks = new Task[size];
    for (int i = 0; i < size; i++) {
      tasks[i] = graph.tasks().get(graphPositions[i]);
    }
    int[] outputs = new int[outputKeys.size()];
    for (int i = 0; i < outputs.length; i++) {
      int position = graph.positionOf(outputKeys.get(i));
      outputs[i] = position < 0 ? -1 : planIndex[position];
    }

    // References in argument order (repeats kept), as the arguments are filled in when a task runs.
    int[] refStart = new int[size + 1];
    IntList refList = new IntList(size * 2);
    Map<String, List<String>> missing = new LinkedHashMap<>();
    for (int i = 0; i < size; i++) {
      refStart[i] = refList.size();
      for (Arg arg : tasks[i].args()) {
        collectRefs(arg, graph, planIndex, tasks[i].key(), refList, missing);
      }
    }
    refStart[size] = refList.size();
    int[] refs = refList.toArray();
    missing.forEach((key, users) -> problems.add(new Problem(Kind.MISSING_DEPENDENCY, concat(key, users),
        (users.size() == 1 ? "task '" + users.get(0) + "' references" : "tasks " + list(users) + " reference")
            + " missing key '" + key + "'")));

    TaskFunction[] functions = new TaskFunction[size];
    if (catalog != null) {
      resolveFunctions(graph, tasks, catalog, functions, problems);
    }
    if (!problems.isEmpty()) {
      throw new GraphValidationException(problems);
    }

    // Distinct dependencies: what a task waits for, and whose results it releases.
    int[] dependencyCount = new int[size];
    int[] stamp = new int[size];
    int[] dependentCount = new int[size];
    for (int i = 0; i < size; i++) {
      for (int r = refStart[i]; r < refStart[i + 1]; r++) {
        int dependency = refs[r];
        if (stamp[dependency] != i + 1) {
          stamp[dependency] = i + 1;
          dependencyCount[i]++;
          dependentCount[dependency]++;
        }
      }
    }
    int[] dependentStart = new int[size + 1];
    for (int i = 0; i < size; i++) {
      dependentStart[i + 1] = dependentStart[i] + dependentCount[i];
    }
    int[] dependents = new int[dependentStart[size]];
    int[] fill = Arrays.copyOf(dependentStart, size);
    Arrays.fill(stamp, 0);
    for (int i = 0; i < size; i++) {
      for (int r = refStart[i]; r < refStart[i + 1]; r++) {
        int dependency = refs[r];
        if (stamp[dependency] != i + 1) {
          stamp[dependency] = i + 1;
          dependents[fill[dependency]++] = i;
        }
      }
    }

    int[] height = heights(tasks, refStart, refs, dependencyCount, dependentStart, dependents);
    int[] rank = postOrder(size, outputs, refStart, refs, height);
    applyPriorities(tasks, rank);
    int[] byRank = new int[size];
    for (int i = 0; i < size; i++) {
      byRank[rank[i]] = i;
    }
    return new ExecutionPlan(graph, tasks, functions, refStart, refs, dependencyCount, dependentStart, dependents,
        rank, byRank, outputs, List.copyOf(outputKeys), planIndex);
  }

  /** Marks the tasks {@code keys} need (all when null) and returns their graph positions in graph order. */
  private static int[] selectTasks(Graph graph, List<String> keys, int[] planIndex, List<Problem> problems) {
    List<Task> all = graph.tasks();
    boolean[] needed = new boolean[all.size()];
    if (keys == null) {
      Arrays.fill(needed, true);
    } else {
      IntList pending = new IntList(keys.size());
      for (String key : keys) {
        int position = graph.positionOf(key);
        if (position < 0) {
          problems.add(new Problem(Kind.UNKNOWN_OUTPUT, List.of(key), "requested key '" + key
              + "' is not in the graph"));
        } else if (!needed[position]) {
          needed[position] = true;
          pending.push(position);
        }
      }
      while (!pending.isEmpty()) {
        for (String dependency : all.get(pending.pop()).dependencies()) {
          int position = graph.positionOf(dependency);
          if (position >= 0 && !needed[position]) {
            needed[position] = true;
            pending.push(position);
          }
        }
      }
    }
    int count = 0;
    for (boolean need : needed) {
      count += need ? 1 : 0;
    }
    int[] positions = new int[count];
    int next = 0;
    for (int position = 0; position < needed.length; position++) {
      if (needed[position]) {
        planIndex[position] = next;
        positions[next++] = position;
      }
    }
    return positions;
  }

  private static void collectRefs(Arg arg, Graph graph, int[] planIndex, String user, IntList refs,
      Map<String, List<String>> missing) {
    if (arg instanceof Arg.Ref) {
      String key = ((Arg.Ref) arg).key();
      int position = graph.positionOf(key);
      if (position >= 0) {
        refs.add(planIndex[position]);
        return;
      }
      List<String> users = missing.computeIfAbsent(key, k -> new ArrayList<>());
      if (users.isEmpty() || !users.get(users.size() - 1).equals(user)) {
        users.add(user);
      }
    } else if (arg instanceof Arg.ListArg) {
      for (Arg item : ((Arg.ListArg) arg).items()) {
        collectRefs(item, graph, planIndex, user, refs, missing);
      }
    }
  }

  private static void resolveFunctions(Graph graph, Task[] tasks, FunctionCatalog catalog, TaskFunction[] functions,
      List<Problem> problems) {
    Map<String, List<String>> unknown = new LinkedHashMap<>();
    for (int i = 0; i < tasks.length; i++) {
      functions[i] = catalog.lookup(tasks[i].function());
      if (functions[i] == null && !catalog.contains(tasks[i].function())) {
        unknown.computeIfAbsent(tasks[i].function(), f -> new ArrayList<>()).add(tasks[i].key());
        continue;
      }
      if (tasks[i].function().equals(FusedFunctions.FUSED)) {
        // The steps' functions are names inside a literal: checked here, so that an unknown one is refused before
        // anything runs, as in the graph before fusion. Their arguments are checked when the steps run.
        try {
          for (FusedFunctions.Step step : FusedFunctions.steps(tasks[i])) {
            if (!catalog.contains(step.function())) {
              unknown.computeIfAbsent(step.function(), f -> new ArrayList<>()).add(step.key());
            }
          }
        } catch (IllegalArgumentException malformed) {
          problems.add(new Problem(Kind.WRONG_ARGUMENTS, List.of(tasks[i].key()), malformed.getMessage()));
        }
      }
      Signature signature = catalog.signature(tasks[i].function());
      int arity = signature.arity();
      int given = tasks[i].args().size();
      if (arity != NamedFunction.ANY_ARITY && given != arity) {
        problems.add(new Problem(Kind.WRONG_ARGUMENTS, List.of(tasks[i].key()), "task '" + tasks[i].key()
            + "' calls " + tasks[i].function() + " with " + given + " argument" + (given == 1 ? "" : "s") + "; it takes "
            + arity + " (" + tasks[i].function() + ": " + signature + ")"));
      } else if (!signature.isUntyped()) {
        checkTypes(graph, tasks[i], signature, catalog, problems);
      }
    }
    unknown.forEach((function, users) -> problems.add(new Problem(Kind.UNKNOWN_FUNCTION, users,
        "unknown function '" + function + "' in " + (users.size() == 1 ? "task '" + users.get(0) + "'" : "tasks "
            + list(users)) + " (" + catalog.describeModules() + ")")));
  }

  /**
   * Refuses an argument that cannot be of its parameter's type: a literal of another type, a list for a non-list, the
   * result of a function whose signature returns another type. What may fit is checked when the task runs.
   */
  private static void checkTypes(Graph graph, Task task, Signature signature, FunctionCatalog catalog,
      List<Problem> problems) {
    List<Arg> args = task.args();
    for (int a = 0; a < args.size(); a++) {
      ValueType parameter = signature.parameter(a);
      Arg arg = args.get(a);
      String what;
      if (arg instanceof Arg.Literal) {
        Object value = ((Arg.Literal) arg).value();
        if (parameter.accepts(value)) {
          continue;
        }
        what = "the literal " + (value instanceof String ? "'" + Values.describe(value) + "'" : Values.describe(value))
            + (value == null ? "" : " (" + value.getClass().getSimpleName() + ")");
      } else if (arg instanceof Arg.ListArg) {
        if (parameter.mayAccept(ValueType.LIST)) { // a list argument becomes a List
          continue;
        }
        what = "a list";
      } else {
        String key = ((Arg.Ref) arg).key();
        int position = graph.positionOf(key);
        if (position < 0) {
          continue; // reported as a missing dependency
        }
        String producer = graph.tasks().get(position).function();
        ValueType result = catalog.signature(producer).result();
        if (parameter.mayAccept(result)) {
          continue;
        }
        what = "the result of '" + key + "' (" + producer + " returns " + result.phrase() + ")";
      }
      problems.add(new Problem(Kind.WRONG_ARGUMENTS, List.of(task.key()), "task '" + task.key() + "' passes " + what
          + " to " + task.function() + " as argument " + (a + 1) + ", which must be " + parameter.phrase() + " ("
          + task.function() + ": " + signature + ")"));
    }
  }

  /**
   * Longest path from a task with no dependencies, by Kahn's walk; the walk also finds cycles.
   *
   * @throws GraphValidationException naming one cycle if there is any
   */
  private static int[] heights(Task[] tasks, int[] refStart, int[] refs, int[] dependencyCount, int[] dependentStart,
      int[] dependents) {
    int size = tasks.length;
    int[] waiting = dependencyCount.clone();
    int[] queue = new int[size];
    int head = 0;
    int tail = 0;
    for (int i = 0; i < size; i++) {
      if (waiting[i] == 0) {
        queue[tail++] = i;
      }
    }
    int[] height = new int[size];
    while (head < tail) {
      int task = queue[head++];
      int h = 0;
      for (int r = refStart[task]; r < refStart[task + 1]; r++) {
        h = Math.max(h, height[refs[r]] + 1);
      }
      height[task] = h;
      for (int d = dependentStart[task]; d < dependentStart[task + 1]; d++) {
        if (--waiting[dependents[d]] == 0) {
          queue[tail++] = dependents[d];
        }
      }
    }
    if (tail < size) {
      throw new GraphValidationException(cycle(tasks, refStart, refs, waiting));
    }
    return height;
  }

  /** Follows unfinished dependencies from an unfinished task until one repeats: that loop is a cycle. */
  private static Problem cycle(Task[] tasks, int[] refStart, int[] refs, int[] waiting) {
    int start = 0;
    while (waiting[start] == 0) {
      start++;
    }
    int[] seenAt = new int[tasks.length];
    Arrays.fill(seenAt, -1);
    List<Integer> path = new ArrayList<>();
    int task = start;
    while (seenAt[task] < 0) {
      seenAt[task] = path.size();
      path.add(task);
      int next = -1;
      for (int r = refStart[task]; r < refStart[task + 1] && next < 0; r++) {
        if (waiting[refs[r]] > 0) {
          next = refs[r];
        }
      }
      task = next;
    }
    List<String> keys = new ArrayList<>();
    for (int i = seenAt[task]; i < path.size(); i++) {
      keys.add(tasks[path.get(i)].key());
    }
    keys.add(tasks[task].key());
    return new Problem(Kind.CYCLE, keys.subList(0, keys.size() - 1),
        "cycle: " + String.join(" -> ", keys) + " (each task depends on the next)");
  }

  /** Post-order from the outputs, deeper dependencies first, ties in task order. */
  private static int[] postOrder(int size, int[] outputs, int[] refStart, int[] refs, int[] height) {
    final byte fresh = 0;
    final byte open = 1;
    final byte done = 2;
    byte[] state = new byte[size];
    int[] rank = new int[size];
    int next = 0;
    IntList stack = new IntList(64);
    int[] children = new int[8];
    int[] seenBy = new int[size];
    // Every task is reachable from an output, except when compiling a whole graph: then start from each task in turn.
    for (int root = 0, o = 0; root < size || o < outputs.length; ) {
      int start = o < outputs.length ? outputs[o++] : root++;
      if (state[start] != fresh) {
        continue;
      }
      stack.push(start);
      while (!stack.isEmpty()) {
        int task = stack.peek();
        if (state[task] == fresh) {
          state[task] = open;
          int count = 0;
          for (int r = refStart[task]; r < refStart[task + 1]; r++) {
            int dependency = refs[r];
            if (state[dependency] == fresh && seenBy[dependency] != task + 1) {
              seenBy[dependency] = task + 1;
              if (count == children.length) {
                children = Arrays.copyOf(children, count * 2);
              }
              children[count++] = dependency;
            }
          }
          sortDeepestFirst(children, count, height);
          for (int c = count - 1; c >= 0; c--) {
            stack.push(children[c]);
          }
        } else {
          stack.pop();
          if (state[task] == open) {
            state[task] = done;
            rank[task] = next++;
          }
        }
      }
    }
    return rank;
  }

  /** Insertion sort: tasks have few dependencies, and the rare wide one is sorted once. */
  private static void sortDeepestFirst(int[] items, int count, int[] height) {
    if (count > 32) {
      Integer[] boxed = new Integer[count];
      for (int i = 0; i < count; i++) {
        boxed[i] = items[i];
      }
      Arrays.sort(boxed, (a, b) -> height[a] != height[b] ? Integer.compare(height[b], height[a])
          : Integer.compare(a, b));
      for (int i = 0; i < count; i++) {
        items[i] = boxed[i];
      }
      return;
    }
    for (int i = 1; i < count; i++) {
      int item = items[i];
      int j = i - 1;
      while (j >= 0 && (height[items[j]] < height[item] || (height[items[j]] == height[item] && items[j] > item))) {
        items[j + 1] = items[j];
        j--;
      }
      items[j + 1] = item;
    }
  }

  /** Reorders by descending priority, keeping the walk's order among equal priorities. */
  private static void applyPriorities(Task[] tasks, int[] rank) {
    boolean any = false;
    for (Task task : tasks) {
      any |= task.priority() != 0;
    }
    if (!any) {
      return;
    }
    long[] keys = new long[tasks.length];
    for (int i = 0; i < tasks.length; i++) {
      long priority = Math.max(-PRIORITY_LIMIT, Math.min(PRIORITY_LIMIT, tasks[i].priority()));
      keys[i] = ((-priority) << 32) | rank[i];
    }
    long[] sorted = keys.clone();
    Arrays.sort(sorted);
    for (int position = 0; position < sorted.length; position++) {
      int task = (int) (sorted[position] & 0xffffffffL);
      // The low half is the old rank; map it back to the task through a pass below.
      sorted[position] = task;
    }
    int[] taskByOldRank = new int[tasks.length];
    for (int i = 0; i < tasks.length; i++) {
      taskByOldRank[rank[i]] = i;
    }
    for (int position = 0; position < sorted.length; position++) {
      rank[taskByOldRank[(int) sorted[position]]] = position;
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private static String list(List<String> keys) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(keys.size(), LISTED_KEYS); i++) {
      text.append(i == 0 ? "'" : ", '").append(keys.get(i)).append("'");
    }
    if (keys.size() > LISTED_KEYS) {
      text.append(" and ").append(keys.size() - LISTED_KEYS).append(" more");
    }
    return text.toString();
  }

  public Graph graph() {
    return graph;
  }

  /** Number of tasks to run. */
  public int size() {
    return tasks.length;
  }

  public Task task(int task) {
    return tasks[task];
  }

  /** The number of the task with {@code key}, or -1 if the plan does not run it. */
  public int indexOf(String key) {
    int position = graph.positionOf(key);
    return position < 0 ? -1 : planIndex[position];
  }

  public String key(int task) {
    return tasks[task].key();
  }

  /** The resolved function, or null when it runs in another JVM or was not checked. */
  public TaskFunction function(int task) {
    return functions[task];
  }

  /** How many distinct tasks {@code task} waits for. */
  public int dependencyCount(int task) {
    return dependencyCount[task];
  }

  public int dependentsStart(int task) {
    return dependentStart[task];
  }

  public int dependentsEnd(int task) {
    return dependentStart[task + 1];
  }

  /** The dependent at position {@code i} of the dependents array, between start and end of a task. */
  public int dependentAt(int i) {
    return dependents[i];
  }

  /**
   * The tasks that {@code task}'s arguments reference, in argument order with repeats: positions
   * {@code referencesStart(task)} to {@code referencesEnd(task)} of {@link #referenceAt(int)}.
   */
  public int referencesStart(int task) {
    return refStart[task];
  }

  public int referencesEnd(int task) {
    return refStart[task + 1];
  }

  public int referenceAt(int i) {
    return refs[i];
  }

  /** The position of {@code task} in the static order: smaller runs first. */
  public int rank(int task) {
    return rank[task];
  }

  /** The task at {@code rank} in the static order. */
  public int taskAtRank(int rank) {
    return byRank[rank];
  }

  /** The task of each requested key, in the order asked. */
  public int[] outputs() {
    return outputs.clone();
  }

  public List<String> outputKeys() {
    return outputKeys;
  }

  public boolean isOutput(int task) {
    return isOutput[task];
  }

  /**
   * The arguments of {@code task} with references replaced by {@code results}: what its function receives.
   * List arguments become new {@link java.util.ArrayList}s.
   */
  public Object[] arguments(int task, Object[] results) {
    List<Arg> args = tasks[task].args();
    Object[] values = new Object[args.size()];
    int cursor = refStart[task];
    for (int i = 0; i < values.length; i++) {
      Arg arg = args.get(i);
      if (arg instanceof Arg.Ref) {
        values[i] = results[refs[cursor++]];
      } else if (arg instanceof Arg.Literal) {
        values[i] = ((Arg.Literal) arg).value();
      } else {
        ArgumentFiller filler = new ArgumentFiller(refs, cursor, results);
        values[i] = filler.fill(arg);
        cursor = filler.cursor;
      }
    }
    return values;
  }

  /** Fills nested list arguments, consuming references in order. */
  private static final class ArgumentFiller {
    private final int[] refs;
    private final Object[] results;
    private int cursor;

    ArgumentFiller(int[] refs, int cursor, Object[] results) {
      this.refs = refs;
      this.cursor = cursor;
      this.results = results;
    }

    Object fill(Arg arg) {
      if (arg instanceof Arg.Ref) {
        return results[refs[cursor++]];
      }
      if (arg instanceof Arg.Literal) {
        return ((Arg.Literal) arg).value();
      }
      List<Arg> items = ((Arg.ListArg) arg).items();
      List<Object> values = new ArrayList<>(items.size());
      for (Arg item : items) {
        values.add(fill(item));
      }
      return values;
    }
  }
}
