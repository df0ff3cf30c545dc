package dev.weft.template;

import dev.weft.function.FunctionCatalog;
import dev.weft.function.Signature;
import dev.weft.function.TaskContext;
import dev.weft.function.TaskFunction;
import dev.weft.function.internal.TaskInvocation;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.GraphValidationException.Kind;
import dev.weft.graph.GraphValidationException.Problem;
import dev.weft.graph.Task;
import dev.weft.graph.internal.ExecutionPlan;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A graph run once per record of a stream: its tasks refer to the record with the keys {@code record.value},
 * {@code record.key}, ... ({@code {"record": "value"}} in graph JSON), and its outputs are what the record produces.
 *
 * <p>A template runs whole, in one call, on the worker that received the record's batch: its tasks are fused, as Dask's
 * optimizer fuses a linear chain, since a record's tasks are small and an intermediate value sent through Kafka would
 * cost more than computing it. Each record runs alone: one that fails gives its own {@link Outcome#failedTask()} and
 * the records beside it are not affected. A task's {@code retries} are tried in place.
 *
 * <p>Immutable and safe to share between threads once compiled.
 */
public final class RecordTemplate {
  /** Prefix of the keys that stand for a record's fields. */
  public static final String RECORD_PREFIX = "record.";

  /** The fields of a Kafka record that a template may refer to. */
  public enum Field {
    KEY, VALUE, HEADERS, TIMESTAMP, TOPIC, PARTITION, OFFSET;

    /** The name used in templates: {@code value}, {@code key}, ... */
    public String fieldName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The key that refers to this field in a template: {@code record.value}. */
    public String key() {
      return RECORD_PREFIX + fieldName();
    }

    /** The field named {@code name} in a template, or null. */
    public static Field named(String name) {
      for (Field field : values()) {
        if (field.fieldName().equals(name)) {
          return field;
        }
      }
      return null;
    }
  }

  /** A record's place holder task: it never runs, its result is set from the record. */
  private static final String FIELD_FUNCTION = "weft.record-field";
  private static final TaskFunction NEVER_CALLED = args -> {
    throw new IllegalStateException("a record field is bound, not computed");
  };

  private final Graph graph;
  private final Set<Field> fields;
  private final ExecutionPlan plan;
  /** Plan index of each field's place holder, by ordinal; -1 when the template does not refer to it. */
  private final int[] fieldTasks = new int[Field.values().length];

  private RecordTemplate(Graph graph, Set<Field> fields, ExecutionPlan plan) {
    this.graph = graph;
    this.fields = fields;
    this.plan = plan;
    for (Field field : Field.values()) {
      fieldTasks[field.ordinal()] = fields.contains(field) ? plan.indexOf(field.key()) : -1;
    }
  }

  /**
   * Checks {@code template} and compiles it.
   *
   * @param catalog checks the function names, and resolves them when they run in this JVM ({@link #apply} needs
   *     that); null checks only the template's form
   * @throws GraphValidationException naming every problem: a reference to a field records do not have, a task
   *     whose key starts with {@code record.}, a template that does not refer to the record, and the problems of any
   *     graph (missing keys, cycles, unknown functions)
   */
  public static RecordTemplate compile(Graph template, FunctionCatalog catalog) {
    List<Problem> problems = new ArrayList<>();
    Set<Field> fields = EnumSet.noneOf(Field.class);
    Set<String> recordKeys = new java.util.LinkedHashSet<>();
    for (Task task : template.tasks()) {
      if (task.key().startsWith(RECORD_PREFIX)) {
        problems.add(new Problem(Kind.INVALID_TEMPLATE, List.of(task.key()), "task '" + task.key()
            + "': keys starting with '" + RECORD_PREFIX + "' stand for the record's fields"));
      }
      task.forEachDependency(key -> {
        if (key.startsWith(RECORD_PREFIX)) {
          recordKeys.add(key);
          Field field = Field.named(key.substring(RECORD_PREFIX.length()));
          if (field == null) {
            problems.add(new Problem(Kind.INVALID_TEMPLATE, List.of(task.key(), key), "task '" + task.key()
                + "' refers to '" + key + "', which is not a field of a record (fields: " + fieldNames() + ")"));
          } else {
            fields.add(field);
          }
        }
      });
    }
    if (template.isEmpty()) {
      problems.add(new Problem(Kind.INVALID_TEMPLATE, List.of(), "the template has no tasks"));
    } else if (recordKeys.isEmpty()) {
      problems.add(new Problem(Kind.INVALID_TEMPLATE, List.of(), "no task of the template refers to the record "
          + "(an argument such as {\"record\": \"value\"}, or a reference to one of " + fieldNames() + ")"));
    }
    // Every record key gets its place holder, a wrong one too: the graph's own problems are then reported beside
    // the template's, and a wrong field is not reported again as a missing key.
    List<Task> tasks = new ArrayList<>();
    for (Task task : template.tasks()) {
      if (!recordKeys.contains(task.key())) {
        tasks.add(task);
      }
    }
    for (String key : recordKeys) {
      tasks.add(Task.of(key, FIELD_FUNCTION));
    }
    Graph bound = Graph.of(template.id(), tasks, template.outputs());
    ExecutionPlan plan = null;
    try {
      plan = ExecutionPlan.compile(bound, null, catalog == null ? null : withFieldFunction(catalog));
    } catch (GraphValidationException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new GraphValidationException(problems);
    }
    return new RecordTemplate(template, fields, plan);
  }

  /** The template as it was given. */
  public Graph graph() {
    return graph;
  }

  /** The fields of a record the template refers to: only these need to be sent with a record. */
  public Set<Field> fields() {
    return fields;
  }

  /** The keys a record produces, in order. */
  public List<String> outputs() {
    return plan.outputKeys();
  }

  /**
   * Runs the template on one record.
   *
   * @param record the record's fields, by {@link Field}; those the template does not refer to are ignored
   * @param context the context its functions are called in
   * @throws IllegalStateException when the template was compiled without the functions' bodies
   */
  public Outcome apply(Map<Field, Object> record, TaskContext context) {
    Object[] results = new Object[plan.size()];
    for (Field field : fields) {
      results[fieldTasks[field.ordinal()]] = record.get(field);
    }
    TaskInvocation call = new TaskInvocation();
    for (int rank = 0; rank < plan.size(); rank++) {
      int task = plan.taskAtRank(rank);
      TaskFunction function = plan.function(task);
      if (function == NEVER_CALLED) {
        continue;
      }
      if (function == null) {
        throw new IllegalStateException("the template was compiled without the body of '"
            + plan.task(task).function() + "'");
      }
      int attempts = plan.task(task).retries() + 1;
      for (int attempt = 1; attempt <= attempts; attempt++) {
        call.failed(null);
        call.invoke(context, function, plan.arguments(task, results), false);
        if (!call.isFailed()) {
          break;
        }
      }
      if (call.isFailed()) {
        return new Outcome(null, plan.key(task), call.error());
      }
      results[task] = call.result();
    }
    Map<String, Object> outputs = new LinkedHashMap<>();
    for (int output : plan.outputs()) {
      outputs.put(plan.key(output), results[output]);
    }
    return new Outcome(outputs, null, null);
  }

  /**
   * What one record produced: its outputs by key, or the task that failed and why.
   *
   * @param outputs the outputs by key, in {@link #outputs()} order; null when a task failed
   * @param failedTask the key of the task that failed after its retries, or null
   * @param error what it threw, or null
   */
  public record Outcome(Map<String, Object> outputs, String failedTask, Throwable error) {
    public boolean failed() {
      return failedTask != null;
    }
  }

  private static String fieldNames() {
    List<String> names = new ArrayList<>();
    for (Field field : Field.values()) {
      names.add(field.fieldName());
    }
    return String.join(", ", names);
  }

  /** {@code catalog}, plus the place holder function of record fields. */
  private static FunctionCatalog withFieldFunction(FunctionCatalog catalog) {
    return new FunctionCatalog() {
      @Override
      public boolean contains(String name) {
        return name.equals(FIELD_FUNCTION) || catalog.contains(name);
      }

      @Override
      public TaskFunction lookup(String name) {
        return name.equals(FIELD_FUNCTION) ? NEVER_CALLED : catalog.lookup(name);
      }

      @Override
      public String describeModules() {
        return catalog.describeModules();
      }

      @Override
      public Signature signature(String name) {
        return name.equals(FIELD_FUNCTION) ? Signature.ANY : catalog.signature(name);
      }
    };
  }
}
