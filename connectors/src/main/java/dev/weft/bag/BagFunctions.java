package dev.weft.bag;

import dev.weft.bag.internal.ValueOrder;
import dev.weft.function.FnN;
import dev.weft.function.FunctionCatalog;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.PartitionFunction;
import dev.weft.function.TaskContext;
import dev.weft.function.TaskFunction;
import dev.weft.function.UnknownFunctionException;
import dev.weft.value.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * The functions a {@link Bag}'s tasks call: each takes whole partitions (lists) and calls the user's functions, named
 * in its arguments, on their items. The names are part of the wire format of graphs.
 *
 * <p>A user function is looked up where the task runs ({@link TaskContext#functions()}), once per partition, and
 * called with the item first and the step's extra arguments after it.
 */
public final class BagFunctions implements FunctionModule {
  static final String MAP = "weft.bag.map";
  static final String FILTER = "weft.bag.filter";
  static final String FLAT_MAP = "weft.bag.flat-map";
  static final String FLATTEN = "weft.bag.flatten";
  static final String PLUCK = "weft.bag.pluck";
  static final String MAP_PARTITION = "weft.bag.map-partition";
  static final String COUNT = "weft.bag.count";
  static final String SUM = "weft.bag.sum";
  static final String MIN = "weft.bag.min";
  static final String MAX = "weft.bag.max";
  static final String MIN_COMBINE = "weft.bag.min-combine";
  static final String MAX_COMBINE = "weft.bag.max-combine";
  static final String MEAN_PARTIAL = "weft.bag.mean-partial";
  static final String MEAN_COMBINE = "weft.bag.mean-combine";
  static final String MEAN = "weft.bag.mean";
  static final String ONLY = "weft.bag.only";
  static final String FREQUENCIES = "weft.bag.frequencies";
  static final String FREQUENCIES_COMBINE = "weft.bag.frequencies-combine";
  static final String TOPK = "weft.bag.topk";
  static final String TOPK_COMBINE = "weft.bag.topk-combine";
  static final String DISTINCT = "weft.bag.distinct";
  static final String DISTINCT_COMBINE = "weft.bag.distinct-combine";
  static final String FOLD = "weft.bag.fold";
  static final String FOLD_COMBINE = "weft.bag.fold-combine";
  static final String FOLDBY = "weft.bag.foldby";
  static final String FOLDBY_COMBINE = "weft.bag.foldby-combine";
  static final String REDUCE = "weft.bag.reduce";
  static final String HASH_SPLIT = "weft.bag.hash-split";
  static final String GROUP_BUCKET = "weft.bag.group-bucket";
  static final String TAKE = "weft.bag.take";
  static final String LISTED = "weft.bag.listed";

  @Override
  public String name() {
    return "bag";
  }

  @Override
  public void register(FunctionRegistry registry) {
    // Functions of a partition's items, written as stages: a fused chain of them streams each item through.
    registry.register(MAP, mapping((function, extra, item, out) -> out.accept(call(function, item, extra))));
    registry.register(FILTER, mapping((function, extra, item, out) -> {
      Object keep = call(function, item, extra);
      if (!(keep instanceof Boolean)) {
        throw new IllegalArgumentException("a filter's function must return a boolean, returned "
            + Values.describe(keep) + " for " + Values.describe(item));
      }
      if ((Boolean) keep) {
        out.accept(item);
      }
    }));
    registry.register(FLAT_MAP, mapping((function, extra, item, out) -> {
      Object many = call(function, item, extra);
      if (!(many instanceof List<?> list)) {
        throw new IllegalArgumentException("flatMap's function must return a list, returned "
            + Values.describe(many) + " for " + Values.describe(item));
      }
      for (Object one : list) {
        out.accept(one);
      }
    }));
    registry.register(FLATTEN, (PartitionFunction) (leading, out) -> new Passing(out) {
      @Override
      public void accept(Object item) throws Exception {
        if (!(item instanceof List<?> list)) {
          throw new IllegalArgumentException("flatten takes a bag of lists; an item is " + Values.describe(item));
        }
        for (Object one : list) {
          out.accept(one);
        }
      }
    });
    registry.register(PLUCK, (PartitionFunction) (leading, out) -> new Passing(out) {
      @Override
      public void accept(Object item) throws Exception {
        out.accept(getItem(item, leading[0]));
      }
    });
    registry.register(COUNT, reducing(leading -> new long[1], (count, item) -> count[0]++, count -> count[0]));
    registry.register(SUM, reducing(leading -> new Sum(), Sum::add, Sum::value));
    registry.register(MIN, reducing(leading -> new Extreme(-1), Extreme::offer, Extreme::wrapped));
    registry.register(MAX, reducing(leading -> new Extreme(1), Extreme::offer, Extreme::wrapped));
    registry.register(MEAN_PARTIAL, reducing(leading -> new Sum(), Sum::add, sum -> List.of(sum.value(),
        sum.count)));
    registry.register(FREQUENCIES, reducing(leading -> new LinkedHashMap<Object, long[]>(),
        (counts, item) -> {
          long[] count = counts.get(item);
          if (count == null) {
            counts.put(item, new long[] {1});
          } else {
            count[0]++;
          }
        }, BagFunctions::pairs));
    registry.register(TOPK, reducing(leading -> new TopK(((Number) leading[0]).intValue(), leading[1]), TopK::offer,
        TopK::top));
    registry.register(DISTINCT, reducing(leading -> new LinkedHashSet<>(), Set::add, ArrayList::new));
    registry.register(FOLD, reducing(leading -> new Fold(fn(leading[0]), list(leading[1])), Fold::offer,
        Fold::wrapped));
    registry.register(FOLDBY, reducing(leading -> new FoldBy(fn(leading[0]), fn(leading[1]), list(leading[2])),
        FoldBy::offer, FoldBy::pairs));
    registry.register(HASH_SPLIT, reducing(leading -> new HashSplit(fn(leading[0]),
        ((Number) leading[1]).intValue()), HashSplit::offer, HashSplit::buckets));

    // Functions of whole lists: combining partials, and the steps that need a partition at once.
    add(registry, MAP_PARTITION, a -> {
      Object partition = call(fn(a[0]), list(a[2]), list(a[1]));
      if (!(partition instanceof List)) {
        throw new IllegalArgumentException("mapPartitions' function " + a[0] + " must return a list, returned "
            + Values.describe(partition));
      }
      return partition;
    });
    add(registry, MIN_COMBINE, a -> reduce(new Extreme(-1), Extreme::offer, present(list(a[0]))).wrapped());
    add(registry, MAX_COMBINE, a -> reduce(new Extreme(1), Extreme::offer, present(list(a[0]))).wrapped());
    add(registry, MEAN_COMBINE, a -> meanCombine(list(a[0])));
    add(registry, MEAN, a -> mean(list(a[0])));
    add(registry, ONLY, a -> only((String) a[0], list(a[1])));
    add(registry, FREQUENCIES_COMBINE, a -> frequenciesCombine(list(a[0])));
    add(registry, TOPK_COMBINE, a -> reduce(new TopK(((Number) a[0]).intValue(), a[1]), TopK::offer,
        concat(list(a[2]))).top());
    add(registry, DISTINCT_COMBINE, a -> new ArrayList<>(new LinkedHashSet<>(concat(list(a[0])))));
    add(registry, FOLD_COMBINE, a -> reduce(new Fold(fn(a[0]), list(a[1])), Fold::offer, present(list(a[2])))
        .wrapped());
    add(registry, FOLDBY_COMBINE, a -> foldByCombine(fn(a[0]), list(a[1]), list(a[2])));
    add(registry, REDUCE, a -> fn(a[0]).apply(new Object[] {list(a[1])}));
    add(registry, GROUP_BUCKET, a -> groupBucket(((Number) a[0]).intValue(), list(a[1])));
    add(registry, TAKE, a -> take(((Number) a[0]).intValue(), list(a[1])));
    add(registry, LISTED, a -> Collections.singletonList(a[0]));
  }

  /** What an item-wise step does with one item: calls the user's function and sends on what it keeps. */
  private interface ItemStep {
    void apply(TaskFunction function, List<?> extra, Object item, PartitionFunction.Stage out) throws Exception;
  }

  /** A step {@code (function, extra, items)} that calls a user's function on each item, looked up once. */
  private static PartitionFunction mapping(ItemStep step) {
    return (leading, out) -> {
      TaskFunction function = fn(leading[0]);
      List<?> extra = list(leading[1]);
      return new Passing(out) {
        @Override
        public void accept(Object item) throws Exception {
          step.apply(function, extra, item, out);
        }
      };
    };
  }

  /** A stage that sends items on: its result is its downstream's. */
  private abstract static class Passing implements PartitionFunction.Stage {
    private final PartitionFunction.Stage out;

    Passing(PartitionFunction.Stage out) {
      this.out = out;
    }

    @Override
    public Object finish() throws Exception {
      return out.finish();
    }
  }

  private interface Start<A> {
    A state(Object[] leading) throws Exception;
  }

  private interface Offer<A> {
    void offer(A state, Object item) throws Exception;
  }

  private interface Finish<A> {
    Object result(A state) throws Exception;
  }

  /** A step that reduces a partition's items to one value, holding only its state. */
  private static <A> PartitionFunction reducing(Start<A> start, Offer<A> offer, Finish<A> finish) {
    return new PartitionFunction() {
      @Override
      public Stage open(Object[] leading, Stage downstream) throws Exception {
        A state = start.state(leading);
        return new Stage() {
          @Override
          public void accept(Object item) throws Exception {
            offer.offer(state, item);
          }

          @Override
          public Object finish() throws Exception {
            return finish.result(state);
          }
        };
      }

      @Override
      public boolean passesItems() {
        return false;
      }
    };
  }

  private static <A> A reduce(A state, Offer<A> offer, List<?> items) throws Exception {
    for (Object item : items) {
      offer.offer(state, item);
    }
    return state;
  }

  /** A sum that stays a long while every item is integral. */
  private static final class Sum {
    private long integral;
    private double real;
    private boolean anyReal;
    private long count;

    void add(Object item) {
      if (item instanceof Long || item instanceof Integer) {
        integral = Math.addExact(integral, ((Number) item).longValue());
      } else if (item instanceof Double || item instanceof Float) {
        real += ((Number) item).doubleValue();
        anyReal = true;
      } else {
        throw new IllegalArgumentException("sum of a bag of numbers; an item is " + Values.describe(item));
      }
      count++;
    }

    Object value() {
      return anyReal ? (Object) (real + integral) : (Object) integral;
    }
  }

  /** The least ({@code sign} -1) or greatest item seen. */
  private static final class Extreme {
    private final int sign;
    private Object best;
    private boolean found;

    Extreme(int sign) {
      this.sign = sign;
    }

    void offer(Object item) {
      if (!found || sign * ValueOrder.INSTANCE.compare(item, best) > 0) {
        best = item;
        found = true;
      }
    }

    /** As a list of one, or none for no items. */
    List<Object> wrapped() {
      return found ? Collections.singletonList(best) : List.of();
    }
  }

  /** The {@code k} greatest items seen, by a key; holds at most {@code 2k} of them. */
  private static final class TopK {
    private final int k;
    private final Object key;
    private final TaskFunction keyFunction;
    private final List<Object[]> kept = new ArrayList<>();

    TopK(int k, Object key) {
      this.k = k;
      this.key = key;
      this.keyFunction = key instanceof String ? fn(key) : null;
    }

    void offer(Object item) throws Exception {
      Object sortKey = key == null ? item
          : keyFunction != null ? keyFunction.apply(new Object[] {item}) : getItem(item, key);
      kept.add(new Object[] {sortKey, item});
      if (kept.size() >= 2 * Math.max(k, 16)) {
        trim();
      }
    }

    private void trim() {
      kept.sort((a, b) -> ValueOrder.INSTANCE.compare(b[0], a[0])); // stable: ties keep their order
      kept.subList(Math.min(k, kept.size()), kept.size()).clear();
    }

    List<Object> top() {
      trim();
      List<Object> top = new ArrayList<>(kept.size());
      kept.forEach(pair -> top.add(pair[1]));
      return top;
    }
  }

  /** Items folded by {@code binop} from an initial value (a list of none or one), as a list of none or one. */
  private static final class Fold {
    private final TaskFunction binop;
    private boolean started;
    private Object accumulated;

    Fold(TaskFunction binop, List<?> initial) {
      this.binop = binop;
      this.started = !initial.isEmpty();
      this.accumulated = started ? initial.get(0) : null;
    }

    void offer(Object item) throws Exception {
      accumulated = started ? binop.apply(new Object[] {accumulated, item}) : item;
      started = true;
    }

    List<Object> wrapped() {
      return started ? Collections.singletonList(accumulated) : List.of();
    }
  }

  /** Items folded by {@code binop} into the value of their key. */
  private static final class FoldBy {
    private final TaskFunction key;
    private final TaskFunction binop;
    private final List<?> initial;
    private final Map<Object, Object[]> folded = new LinkedHashMap<>();

    FoldBy(TaskFunction key, TaskFunction binop, List<?> initial) {
      this.key = key;
      this.binop = binop;
      this.initial = initial;
    }

    void offer(Object item) throws Exception {
      Object group = key.apply(new Object[] {item});
      Object[] slot = folded.get(group);
      if (slot == null) {
        folded.put(group, new Object[] {initial.isEmpty() ? item : binop.apply(new Object[] {initial.get(0), item})});
      } else {
        slot[0] = binop.apply(new Object[] {slot[0], item});
      }
    }

    List<Object> pairs() {
      List<Object> pairs = new ArrayList<>(folded.size());
      folded.forEach((group, slot) -> pairs.add(Arrays.asList(group, slot[0])));
      return pairs;
    }
  }

  /**
   * Items split into buckets by the hash of their key, each as a {@code [key, item]} pair. Keys are Weft values, whose
   * hash codes are the same in every JVM (strings, numbers, lists and maps of them).
   */
  private static final class HashSplit {
    private final TaskFunction key;
    private final List<List<Object>> buckets;

    HashSplit(TaskFunction key, int count) {
      this.key = key;
      this.buckets = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        buckets.add(new ArrayList<>());
      }
    }

    void offer(Object item) throws Exception {
      Object group = key.apply(new Object[] {item});
      buckets.get(Math.floorMod(group == null ? 0 : group.hashCode(), buckets.size())).add(Arrays.asList(group, item));
    }

    List<Object> buckets() {
      return new ArrayList<>(buckets);
    }
  }

  private static void add(FunctionRegistry registry, String name, TaskFunction body) {
    registry.register(FnN.of(name, body));
  }

  /** The user's function named {@code name}, where the task runs. */
  private static TaskFunction fn(Object name) {
    if (!(name instanceof String function)) {
      throw new IllegalArgumentException("a bag step names its function by a string, got " + Values.describe(name));
    }
    FunctionCatalog functions = TaskContext.currentFunctions();
    TaskFunction body = functions.lookup(function);
    if (body == null) {
      throw new UnknownFunctionException(function, functions.describeModules());
    }
    return body;
  }

  private static List<?> list(Object value) {
    if (value instanceof List<?> list) {
      return list;
    }
    throw new IllegalArgumentException("a bag partition is a list, got " + Values.describe(value));
  }

  private static Object call(TaskFunction function, Object item, List<?> extra) throws Exception {
    if (extra.isEmpty()) {
      return function.apply(new Object[] {item});
    }
    Object[] args = new Object[extra.size() + 1];
    args[0] = item;
    for (int i = 0; i < extra.size(); i++) {
      args[i + 1] = extra.get(i);
    }
    return function.apply(args);
  }

  /** A field of a map or Avro record by name, or an element of a list by index, as Dask's {@code pluck}. */
  static Object getItem(Object item, Object key) {
    if (item instanceof Map<?, ?> map && key instanceof String) {
      if (!map.containsKey(key)) {
        throw new IllegalArgumentException("pluck: no key '" + key + "' in " + Values.describe(item)
            + " (its keys: " + abbreviated(map.keySet()) + ")");
      }
      return map.get(key);
    }
    if (item instanceof GenericRecord record && key instanceof String name) {
      if (record.getSchema().getField(name) == null) {
        throw new IllegalArgumentException("pluck: record " + record.getSchema().getFullName() + " has no field '"
            + name + "'");
      }
      return Values.canonical(record.get(name));
    }
    if (item instanceof List<?> list && key instanceof Number index) {
      int i = index.intValue();
      if (i < 0 || i >= list.size()) {
        throw new IllegalArgumentException("pluck: index " + i + " out of range of " + Values.describe(item));
      }
      return list.get(i);
    }
    throw new IllegalArgumentException("pluck(" + Values.describe(key) + ") cannot read " + Values.describe(item)
        + ": a string key plucks from maps and records, a number from lists");
  }

  private static String abbreviated(Set<?> keys) {
    String text = keys.toString();
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  private static List<Object> meanCombine(List<?> partials) {
    List<Object> sums = new ArrayList<>(partials.size());
    long count = 0;
    for (Object partial : partials) {
      List<?> pair = (List<?>) partial;
      sums.add(pair.get(0));
      count += ((Number) pair.get(1)).longValue();
    }
    Sum sum = new Sum();
    sums.forEach(sum::add);
    return List.of(sum.value(), count);
  }

  private static double mean(List<?> pair) {
    long count = ((Number) pair.get(1)).longValue();
    if (count == 0) {
      throw new IllegalArgumentException("mean of an empty bag");
    }
    return ((Number) pair.get(0)).doubleValue() / count;
  }

  /** The one value of a reduction over a bag that may be empty: {@code what} names it in the error. */
  private static Object only(String what, List<?> wrapped) {
    if (wrapped.isEmpty()) {
      throw new IllegalArgumentException(what + " of an empty bag");
    }
    return wrapped.get(0);
  }

  private static List<Object> frequenciesCombine(List<?> partials) {
    Map<Object, long[]> counts = new LinkedHashMap<>();
    for (Object partial : partials) {
      for (Object pair : (List<?>) partial) {
        List<?> entry = (List<?>) pair;
        long n = ((Number) entry.get(1)).longValue();
        long[] count = counts.get(entry.get(0));
        if (count == null) {
          counts.put(entry.get(0), new long[] {n});
        } else {
          count[0] += n;
        }
      }
    }
    return pairs(counts);
  }

  private static List<Object> pairs(Map<Object, long[]> counts) {
    List<Object> pairs = new ArrayList<>(counts.size());
    counts.forEach((item, count) -> pairs.add(Arrays.asList(item, count[0])));
    return pairs;
  }

  private static List<Object> concat(List<?> lists) {
    List<Object> out = new ArrayList<>();
    for (Object list : lists) {
      out.addAll(list(list));
    }
    return out;
  }

  /** Folded partials are lists of none or one value: the values of those that have one. */
  private static List<Object> present(List<?> partials) {
    List<Object> values = new ArrayList<>(partials.size());
    for (Object partial : partials) {
      values.addAll(list(partial));
    }
    return values;
  }

  private static List<Object> foldByCombine(TaskFunction combine, List<?> initial, List<?> partials)
      throws Exception {
    Map<Object, Object[]> folded = new LinkedHashMap<>();
    for (Object partial : partials) {
      for (Object pair : list(partial)) {
        List<?> entry = (List<?>) pair;
        Object[] slot = folded.get(entry.get(0));
        if (slot == null) {
          folded.put(entry.get(0), new Object[] {initial.isEmpty() ? entry.get(1)
              : combine.apply(new Object[] {initial.get(0), entry.get(1)})});
        } else {
          slot[0] = combine.apply(new Object[] {slot[0], entry.get(1)});
        }
      }
    }
    List<Object> pairs = new ArrayList<>(folded.size());
    folded.forEach((group, slot) -> pairs.add(Arrays.asList(group, slot[0])));
    return pairs;
  }

  /** Bucket {@code bucket} of every split, grouped: {@code [key, [items...]]} pairs in the order keys first appear. */
  private static List<Object> groupBucket(int bucket, List<?> splits) {
    Map<Object, List<Object>> groups = new LinkedHashMap<>();
    for (Object split : splits) {
      for (Object pair : list(list(split).get(bucket))) {
        List<?> entry = (List<?>) pair;
        groups.computeIfAbsent(entry.get(0), k -> new ArrayList<>()).add(entry.get(1));
      }
    }
    List<Object> pairs = new ArrayList<>(groups.size());
    groups.forEach((group, members) -> pairs.add(Arrays.asList(group, members)));
    return pairs;
  }

  private static List<Object> take(int n, List<?> partitions) {
    List<Object> out = new ArrayList<>(n);
    for (Object partition : partitions) {
      for (Object item : list(partition)) {
        if (out.size() == n) {
          return out;
        }
        out.add(item);
      }
    }
    return out;
  }
}
