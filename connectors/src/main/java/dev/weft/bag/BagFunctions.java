package dev.weft.bag;

import dev.weft.bag.internal.ValueOrder;
import dev.weft.function.FnN;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
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
  static final String CONCAT = "weft.bag.concat";

  @Override
  public String name() {
    return "bag";
  }

  @Override
  public void register(FunctionRegistry registry) {
    add(registry, MAP, a -> map(fn(a[0]), list(a[1]), list(a[2])));
    add(registry, FILTER, a -> filter(fn(a[0]), list(a[1]), list(a[2])));
    add(registry, FLAT_MAP, a -> flatMap((String) a[0], fn(a[0]), list(a[1]), list(a[2])));
    add(registry, FLATTEN, a -> flatten(list(a[0])));
    add(registry, PLUCK, a -> pluck(a[0], list(a[1])));
    add(registry, MAP_PARTITION, a -> call(fn(a[0]), list(a[2]), list(a[1])));
    add(registry, COUNT, a -> (long) list(a[0]).size());
    add(registry, SUM, a -> sum(list(a[0])));
    add(registry, MIN, a -> extreme(list(a[0]), -1));
    add(registry, MAX, a -> extreme(list(a[0]), 1));
    add(registry, MIN_COMBINE, a -> extreme(present(list(a[0])), -1));
    add(registry, MAX_COMBINE, a -> extreme(present(list(a[0])), 1));
    add(registry, MEAN_PARTIAL, a -> List.of(sum(list(a[0])), (long) list(a[0]).size()));
    add(registry, MEAN_COMBINE, a -> meanCombine(list(a[0])));
    add(registry, MEAN, a -> mean(list(a[0])));
    add(registry, ONLY, a -> only((String) a[0], list(a[1])));
    add(registry, FREQUENCIES, a -> frequencies(list(a[0])));
    add(registry, FREQUENCIES_COMBINE, a -> frequenciesCombine(list(a[0])));
    add(registry, TOPK, a -> topk(((Number) a[0]).intValue(), a[1], list(a[2])));
    add(registry, TOPK_COMBINE, a -> topk(((Number) a[0]).intValue(), a[1], concat(list(a[2]))));
    add(registry, DISTINCT, a -> new ArrayList<>(new LinkedHashSet<>(list(a[0]))));
    add(registry, DISTINCT_COMBINE, a -> new ArrayList<>(new LinkedHashSet<>(concat(list(a[0])))));
    add(registry, FOLD, a -> fold(fn(a[0]), list(a[1]), list(a[2])));
    add(registry, FOLD_COMBINE, a -> fold(fn(a[0]), list(a[1]), present(list(a[2]))));
    add(registry, FOLDBY, a -> foldBy(fn(a[0]), fn(a[1]), list(a[2]), list(a[3])));
    add(registry, FOLDBY_COMBINE, a -> foldByCombine(fn(a[0]), list(a[1]), list(a[2])));
    add(registry, REDUCE, a -> fn(a[0]).apply(new Object[] {list(a[1])}));
    add(registry, HASH_SPLIT, a -> hashSplit(fn(a[0]), ((Number) a[1]).intValue(), list(a[2])));
    add(registry, GROUP_BUCKET, a -> groupBucket(((Number) a[0]).intValue(), list(a[1])));
    add(registry, TAKE, a -> take(((Number) a[0]).intValue(), list(a[1])));
    add(registry, CONCAT, a -> concat(list(a[0])));
  }

  private static void add(FunctionRegistry registry, String name, TaskFunction body) {
    registry.register(FnN.of(name, body));
  }

  /** The user's function named {@code name}, where the task runs. */
  private static TaskFunction fn(Object name) {
    if (!(name instanceof String function)) {
      throw new IllegalArgumentException("a bag step names its function by a string, got " + Values.describe(name));
    }
    TaskContext context = TaskContext.current();
    var functions = context != null ? context.functions() : FunctionRegistry.global();
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

  private static List<Object> map(TaskFunction function, List<?> extra, List<?> items) throws Exception {
    List<Object> out = new ArrayList<>(items.size());
    for (Object item : items) {
      out.add(call(function, item, extra));
    }
    return out;
  }

  private static List<Object> filter(TaskFunction predicate, List<?> extra, List<?> items) throws Exception {
    List<Object> out = new ArrayList<>();
    for (Object item : items) {
      Object keep = call(predicate, item, extra);
      if (!(keep instanceof Boolean)) {
        throw new IllegalArgumentException("a filter's function must return a boolean, returned "
            + Values.describe(keep) + " for " + Values.describe(item));
      }
      if ((Boolean) keep) {
        out.add(item);
      }
    }
    return out;
  }

  private static List<Object> flatMap(String name, TaskFunction function, List<?> extra, List<?> items)
      throws Exception {
    List<Object> out = new ArrayList<>(items.size() * 4);
    for (Object item : items) {
      Object many = call(function, item, extra);
      if (!(many instanceof List<?> list)) {
        throw new IllegalArgumentException("flatMap's function " + name + " must return a list, returned "
            + Values.describe(many) + " for " + Values.describe(item));
      }
      out.addAll(list);
    }
    return out;
  }

  private static List<Object> flatten(List<?> items) {
    List<Object> out = new ArrayList<>(items.size() * 4);
    for (Object item : items) {
      if (!(item instanceof List<?> list)) {
        throw new IllegalArgumentException("flatten takes a bag of lists; an item is " + Values.describe(item));
      }
      out.addAll(list);
    }
    return out;
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

  private static List<Object> pluck(Object key, List<?> items) {
    List<Object> out = new ArrayList<>(items.size());
    for (Object item : items) {
      out.add(getItem(item, key));
    }
    return out;
  }

  private static Object sum(List<?> items) {
    long integral = 0;
    double real = 0;
    boolean anyReal = false;
    for (Object item : items) {
      if (item instanceof Long || item instanceof Integer) {
        integral = Math.addExact(integral, ((Number) item).longValue());
      } else if (item instanceof Double || item instanceof Float) {
        real += ((Number) item).doubleValue();
        anyReal = true;
      } else {
        throw new IllegalArgumentException("sum of a bag of numbers; an item is " + Values.describe(item));
      }
    }
    return anyReal ? (Object) (real + integral) : (Object) integral;
  }

  /** The least ({@code sign} -1) or greatest item as a list of one, or an empty list for an empty partition. */
  private static List<Object> extreme(List<?> items, int sign) {
    Object best = null;
    boolean found = false;
    for (Object item : items) {
      if (!found || sign * ValueOrder.INSTANCE.compare(item, best) > 0) {
        best = item;
        found = true;
      }
    }
    return found ? Collections.singletonList(best) : List.of();
  }

  private static List<Object> meanCombine(List<?> partials) {
    List<Object> sums = new ArrayList<>(partials.size());
    long count = 0;
    for (Object partial : partials) {
      List<?> pair = (List<?>) partial;
      sums.add(pair.get(0));
      count += ((Number) pair.get(1)).longValue();
    }
    return List.of(sum(sums), count);
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

  /** Items and their counts as {@code [item, count]} pairs, in the order items first appear. */
  private static List<Object> frequencies(List<?> items) {
    Map<Object, long[]> counts = new LinkedHashMap<>();
    for (Object item : items) {
      long[] count = counts.get(item);
      if (count == null) {
        counts.put(item, new long[] {1});
      } else {
        count[0]++;
      }
    }
    return pairs(counts);
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

  /**
   * The {@code k} greatest items, greatest first, by {@code key}: null for the items themselves, a number for the
   * element at that index, a string for the function of that name. Ties keep the order items came in.
   */
  private static List<Object> topk(int k, Object key, List<?> items) throws Exception {
    TaskFunction keyFunction = key instanceof String ? fn(key) : null;
    List<Object[]> keyed = new ArrayList<>(items.size());
    for (Object item : items) {
      Object sortKey = key == null ? item
          : keyFunction != null ? keyFunction.apply(new Object[] {item}) : getItem(item, key);
      keyed.add(new Object[] {sortKey, item});
    }
    keyed.sort((a, b) -> ValueOrder.INSTANCE.compare(b[0], a[0])); // stable: ties keep their order
    List<Object> top = new ArrayList<>(Math.min(k, keyed.size()));
    for (int i = 0; i < k && i < keyed.size(); i++) {
      top.add(keyed.get(i)[1]);
    }
    return top;
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

  /**
   * {@code items} folded by {@code binop} from {@code initial} (a list of none or one value: none means "start from
   * the first item"), as a list of none (nothing to fold) or one value.
   */
  private static List<Object> fold(TaskFunction binop, List<?> initial, List<?> items) throws Exception {
    boolean started = !initial.isEmpty();
    Object accumulated = started ? initial.get(0) : null;
    for (Object item : items) {
      accumulated = started ? binop.apply(new Object[] {accumulated, item}) : item;
      started = true;
    }
    return started ? Collections.singletonList(accumulated) : List.of();
  }

  /** {@code [key, folded]} pairs: each item folded by {@code binop} into the value of its key. */
  private static List<Object> foldBy(TaskFunction key, TaskFunction binop, List<?> initial, List<?> items)
      throws Exception {
    Map<Object, Object[]> folded = new LinkedHashMap<>();
    for (Object item : items) {
      Object group = key.apply(new Object[] {item});
      Object[] slot = folded.get(group);
      if (slot == null) {
        folded.put(group, new Object[] {initial.isEmpty() ? item : binop.apply(new Object[] {initial.get(0), item})});
      } else {
        slot[0] = binop.apply(new Object[] {slot[0], item});
      }
    }
    List<Object> pairs = new ArrayList<>(folded.size());
    folded.forEach((group, slot) -> pairs.add(Arrays.asList(group, slot[0])));
    return pairs;
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

  /**
   * The items split into {@code buckets} lists by the hash of their key, each item as a {@code [key, item]} pair. Keys
   * are Weft values, whose hash codes are the same in every JVM (strings, numbers, lists and maps of them).
   */
  private static List<Object> hashSplit(TaskFunction key, int buckets, List<?> items) throws Exception {
    List<List<Object>> split = new ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      split.add(new ArrayList<>());
    }
    for (Object item : items) {
      Object group = key.apply(new Object[] {item});
      split.get(Math.floorMod(group == null ? 0 : group.hashCode(), buckets)).add(Arrays.asList(group, item));
    }
    return new ArrayList<>(split);
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
