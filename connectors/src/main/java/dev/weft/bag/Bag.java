package dev.weft.bag;

import dev.weft.bag.internal.Layer;
import dev.weft.connectors.PartitionRead;
import dev.weft.connectors.Sink;
import dev.weft.connectors.Source;
import dev.weft.connectors.files.TextFiles;
import dev.weft.connectors.kafka.KafkaTopics;
import dev.weft.connectors.kafka.TopicFormat;
import dev.weft.connectors.kafka.TopicSink;
import dev.weft.connectors.kafka.TopicSource;
import dev.weft.function.NamedFunction;
import dev.weft.function.TaskFunction;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.scheduler.Option;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A collection of items split into partitions, each computed by one task: Dask's {@code dask.bag}. Operations build a
 * graph and return new bags (or {@link Item}s for reductions); nothing runs until {@link #compute()}.
 *
 * <pre>{@code
 * Map<Object, Long> names = Bag.readJson("data/*.json")
 *     .pluck("name")
 *     .frequencies()
 *     .computeMap();          // {alice=100, bob=200, charlie=300}
 * }</pre>
 *
 * <p><b>Functions.</b> A step names a registered function ({@code map("parse-json")}, or a {@link NamedFunction}),
 * which runs on every scheduler; or takes a Java lambda, which runs only where tasks run in this JVM (the sync and threads
 * schedulers): computing a bag with lambdas on the processes or broker scheduler is refused before anything runs,
 * saying how to register the function. A step's function gets the item first, then the extra arguments of the step.
 *
 * <p><b>What a compute runs.</b> The graph is culled to what is asked and its linear chains fused ({@code read ->
 * map -> pluck -> partial frequencies} is one task per partition; set {@link #OPTIMIZE_GRAPH} to false to see every
 * step as a task). Reductions are trees: partials are combined {@code splitEvery} at a time (8 by default), so no
 * task takes more than that many inputs: a combining task holds at most that many partials at once.
 *
 * <p><b>Values.</b> Items are Weft values (null, booleans, numbers, strings, bytes, lists, maps with string keys, Avro
 * records). Pairs, such as {@link #frequencies()}'s {@code [item, count]}, are two-item lists.
 *
 * @param <T> the type of the items
 */
public final class Bag<T> {
  /** Whether a bag's graph is culled and fused before it is scheduled (default true); a per-compute option. */
  public static final Option<Boolean> OPTIMIZE_GRAPH = Computes.OPTIMIZE_GRAPH;
  /** How many partials a reduction combines in one task, unless the call says otherwise (Dask's split_every). */
  public static final int DEFAULT_SPLIT_EVERY = 8;

  static final String LAMBDA_PREFIX = "lambda.";
  /** Makes keys unique in this JVM, so that bags built apart can be combined. */
  private static final AtomicLong OPERATIONS = new AtomicLong();

  private final Layer layer;
  private final List<String> partitions;

  private Bag(Layer layer, List<String> partitions) {
    this.layer = layer;
    this.partitions = List.copyOf(partitions);
  }

  // ---- sources

  /** {@code items} in {@code partitions} partitions of about equal size (Dask's {@code from_sequence}). */
  public static <T> Bag<T> from(List<T> items, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a bag has at least one partition, asked for " + partitions);
    }
    int count = Math.max(1, Math.min(partitions, items.size()));
    long id = OPERATIONS.incrementAndGet();
    List<Task> tasks = new ArrayList<>(count);
    List<String> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      List<T> slice = items.subList((int) ((long) items.size() * i / count),
          (int) ((long) items.size() * (i + 1) / count));
      String key = "from-" + id + "-" + i;
      tasks.add(Task.of(key, "identity", (Object) new ArrayList<Object>(slice)));
      keys.add(key);
    }
    return new Bag<>(Layer.of(List.of(), tasks, Map.of()), keys);
  }

  /** The items a source reads, one partition per {@link PartitionRead}. */
  public static <T> Bag<T> from(Source source) {
    List<PartitionRead> reads = source.partitions();
    if (reads.isEmpty()) {
      return from(List.of(), 1);
    }
    long id = OPERATIONS.incrementAndGet();
    List<Task> tasks = new ArrayList<>(reads.size());
    List<String> keys = new ArrayList<>(reads.size());
    for (int i = 0; i < reads.size(); i++) {
      PartitionRead read = reads.get(i);
      String key = "read-" + id + "-" + i;
      tasks.add(Task.of(key, read.function(), read.args().toArray()));
      keys.add(key);
    }
    return new Bag<>(Layer.of(List.of(), tasks, Map.of()), keys);
  }

  /** The lines of the text files {@code glob} matches, one partition per file (Dask's {@code read_text}). */
  public static Bag<String> readText(String glob) {
    return from(TextFiles.lines(glob));
  }

  /** The lines of the files {@code glob} matches, large files split into partitions of about {@code blocksize}. */
  public static Bag<String> readText(String glob, long blocksize) {
    return from(TextFiles.lines(glob, blocksize));
  }

  /** Each line of the JSON-lines files {@code glob} matches, parsed; an error names the file and line. */
  public static Bag<Object> readJson(String glob) {
    return from(TextFiles.jsonLines(glob));
  }

  /** As {@link #readJson(String)}, large files split into partitions of about {@code blocksize}. */
  public static Bag<Object> readJson(String glob, long blocksize) {
    return from(TextFiles.jsonLines(glob, blocksize));
  }

  /**
   * The records of a topic up to its end offsets when this is called, one partition per Kafka partition (or range):
   * {@code Bag.fromTopic(KafkaTopics.source(connection, "orders", TopicFormat.AVRO).withMaxRecordsPerPartition(n))}.
   * Avro values come as records, through the schema registry the connection names.
   */
  public static <T> Bag<T> fromTopic(TopicSource source) {
    return from(source);
  }

  /** The records of every partition of {@code topic}, up to its end offsets when this is called. */
  public static <T> Bag<T> fromTopic(Map<String, ?> connection, String topic, TopicFormat format) {
    return from(KafkaTopics.source(connection, topic, format));
  }

  /** The number of partitions, each one task. */
  public int npartitions() {
    return partitions.size();
  }

  /** The keys of the tasks that compute the partitions, in order. */
  public List<String> partitionKeys() {
    return partitions;
  }

  // ---- element-wise

  /** Each item through the registered function {@code function}, called as {@code function(item, extraArgs...)}. */
  public <R> Bag<R> map(String function, Object... extraArgs) {
    return partitionWise("map", BagFunctions.MAP, Map.of(), function, Arrays.asList(extraArgs));
  }

  /** Each item through a registered function. */
  public <R> Bag<R> map(NamedFunction function) {
    return map(function.name());
  }

  /** Each item through a lambda (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public <R> Bag<R> map(Function<? super T, ? extends R> lambda) {
    return withLambda("map", BagFunctions.MAP, args -> lambda.apply((T) args[0]));
  }

  /** The items for which the registered function returns true. */
  public Bag<T> filter(String predicate, Object... extraArgs) {
    return partitionWise("filter", BagFunctions.FILTER, Map.of(), predicate, Arrays.asList(extraArgs));
  }

  /** The items for which a registered function returns true. */
  public Bag<T> filter(NamedFunction predicate) {
    return filter(predicate.name());
  }

  /** The items for which the lambda returns true (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public Bag<T> filter(Predicate<? super T> lambda) {
    return withLambda("filter", BagFunctions.FILTER, args -> lambda.test((T) args[0]));
  }

  /** The items of the lists the registered function returns for each item, in order. */
  public <R> Bag<R> flatMap(String function, Object... extraArgs) {
    return partitionWise("flat-map", BagFunctions.FLAT_MAP, Map.of(), function, Arrays.asList(extraArgs));
  }

  /** The items of the lists a registered function returns for each item, in order. */
  public <R> Bag<R> flatMap(NamedFunction function) {
    return flatMap(function.name());
  }

  /** The items of the lists the lambda returns for each item, in order (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public <R> Bag<R> flatMap(Function<? super T, ? extends List<? extends R>> lambda) {
    return withLambda("flat-map", BagFunctions.FLAT_MAP, args -> lambda.apply((T) args[0]));
  }

  /** The items of a bag of lists, concatenated. */
  public <R> Bag<R> flatten() {
    return partitionWise("flatten", BagFunctions.FLATTEN, Map.of());
  }

  /** The value under {@code key} of each item, a map or an Avro record. */
  public <R> Bag<R> pluck(String key) {
    return partitionWise("pluck", BagFunctions.PLUCK, Map.of(), key);
  }

  /** The element at {@code index} of each item, a list. */
  public <R> Bag<R> pluck(int index) {
    return partitionWise("pluck", BagFunctions.PLUCK, Map.of(), (long) index);
  }

  /** Each partition, as a list, through the registered function, which returns the new partition. */
  public <R> Bag<R> mapPartitions(String function, Object... extraArgs) {
    return partitionWise("map-partitions", BagFunctions.MAP_PARTITION, Map.of(), function, Arrays.asList(extraArgs));
  }

  /** Each partition, as a list, through the lambda (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public <R> Bag<R> mapPartitions(Function<? super List<T>, ? extends List<? extends R>> lambda) {
    return withLambda("map-partitions", BagFunctions.MAP_PARTITION, args -> lambda.apply((List<T>) args[0]));
  }

  // ---- reductions to one value

  /** The number of items. */
  public Item<Long> count() {
    return reduce("count", call(BagFunctions.COUNT), call(BagFunctions.SUM), null, DEFAULT_SPLIT_EVERY, Map.of());
  }

  /** The sum of the items, numbers: a long while all are integral, else a double. */
  public Item<Number> sum() {
    return reduce("sum", call(BagFunctions.SUM), call(BagFunctions.SUM), null, DEFAULT_SPLIT_EVERY, Map.of());
  }

  /** The least item; an empty bag fails the compute. */
  public Item<T> min() {
    return reduce("min", call(BagFunctions.MIN), call(BagFunctions.MIN_COMBINE), call(BagFunctions.ONLY, "min"),
        DEFAULT_SPLIT_EVERY, Map.of());
  }

  /** The greatest item; an empty bag fails the compute. */
  public Item<T> max() {
    return reduce("max", call(BagFunctions.MAX), call(BagFunctions.MAX_COMBINE), call(BagFunctions.ONLY, "max"),
        DEFAULT_SPLIT_EVERY, Map.of());
  }

  /** The mean of the items, numbers, as a double; an empty bag fails the compute. */
  public Item<Double> mean() {
    return reduce("mean", call(BagFunctions.MEAN_PARTIAL), call(BagFunctions.MEAN_COMBINE),
        call(BagFunctions.MEAN), DEFAULT_SPLIT_EVERY, Map.of());
  }

  /**
   * The items folded by the registered function {@code binop(accumulated, item)}, starting from the first item of
   * each partition; the partitions' results are folded by the same function. An empty bag fails the compute.
   */
  public Item<T> fold(String binop) {
    return fold(binop, binop, List.of(), Map.of());
  }

  /**
   * The items folded by {@code binop(accumulated, item)} from {@code initial} in each partition, and the partitions'
   * results by {@code combine(accumulated, partial)} from {@code initial} (Dask's {@code fold}).
   */
  public <A> Item<A> fold(String binop, String combine, A initial) {
    return fold(binop, combine, java.util.Collections.singletonList(initial), Map.of());
  }

  /** The items folded by a lambda; an empty bag fails the compute (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public Item<T> fold(BinaryOperator<T> binop) {
    String name = lambdaName("fold");
    return fold(name, name, List.of(), Map.of(name, args -> binop.apply((T) args[0], (T) args[1])));
  }

  /** The items folded by lambdas from {@code initial}, as {@link #fold(String, String, Object)}. */
  @SuppressWarnings("unchecked")
  public <A> Item<A> fold(BiFunction<A, ? super T, A> binop, BinaryOperator<A> combine, A initial) {
    String binopName = lambdaName("fold");
    String combineName = lambdaName("fold-combine");
    return fold(binopName, combineName, java.util.Collections.singletonList(initial), Map.of(
        binopName, args -> binop.apply((A) args[0], (T) args[1]),
        combineName, args -> combine.apply((A) args[0], (A) args[1])));
  }

  private <A> Item<A> fold(String binop, String combine, List<Object> initial, Map<String, TaskFunction> lambdas) {
    return reduce("fold", call(BagFunctions.FOLD, binop, initial), call(BagFunctions.FOLD_COMBINE, combine, initial),
        call(BagFunctions.ONLY, "fold with no initial value"), DEFAULT_SPLIT_EVERY, lambdas);
  }

  /**
   * Each partition through {@code perPartition} (a registered function of the partition's list), then the results,
   * {@code splitEvery} at a time, through {@code aggregate} (a registered function of a list of them) until one is
   * left: Dask's {@code reduction}. {@code aggregate} must give the same answer when applied in stages.
   */
  public <R> Item<R> reduction(String perPartition, String aggregate, int splitEvery) {
    return reduce("reduction", call(BagFunctions.REDUCE, perPartition), call(BagFunctions.REDUCE, aggregate), null,
        splitEvery, Map.of());
  }

  /** As {@link #reduction(String, String, int)}, with lambdas (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public <P, R> Item<R> reduction(Function<? super List<T>, P> perPartition, Function<? super List<P>, R> aggregate) {
    String per = lambdaName("reduction");
    String agg = lambdaName("reduction-aggregate");
    return reduce("reduction", call(BagFunctions.REDUCE, per), call(BagFunctions.REDUCE, agg), null,
        DEFAULT_SPLIT_EVERY, Map.of(per, args -> perPartition.apply((List<T>) args[0]),
            agg, args -> aggregate.apply((List<P>) args[0])));
  }

  // ---- reductions to a bag of one partition

  /** Each distinct item and how often it occurs, as {@code [item, count]} pairs in the order items first occur. */
  public Bag<List<Object>> frequencies() {
    return frequencies(DEFAULT_SPLIT_EVERY);
  }

  /** As {@link #frequencies()}, combining partial counts {@code splitEvery} partitions at a time. */
  public Bag<List<Object>> frequencies(int splitEvery) {
    return reduceToBag("frequencies", call(BagFunctions.FREQUENCIES), call(BagFunctions.FREQUENCIES_COMBINE),
        splitEvery, Map.of());
  }

  /** The {@code k} greatest items, greatest first. */
  public Bag<T> topk(int k) {
    return topk(k, (Object) null, Map.of());
  }

  /** The {@code k} items greatest at {@code index} (for pairs: {@code topk(10, 1)} is the ten largest counts). */
  public Bag<T> topk(int k, int index) {
    return topk(k, (long) index, Map.of());
  }

  /** The {@code k} items whose key, by the registered function {@code key}, is greatest. */
  public Bag<T> topk(int k, String key) {
    return topk(k, (Object) key, Map.of());
  }

  /** The {@code k} items whose key, by the lambda, is greatest (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public Bag<T> topk(int k, Function<? super T, ?> key) {
    String name = lambdaName("topk-key");
    return topk(k, name, Map.of(name, args -> key.apply((T) args[0])));
  }

  private Bag<T> topk(int k, Object key, Map<String, TaskFunction> lambdas) {
    if (k < 0) {
      throw new IllegalArgumentException("topk takes k >= 0, got " + k);
    }
    return reduceToBag("topk", call(BagFunctions.TOPK, (long) k, key), call(BagFunctions.TOPK_COMBINE, (long) k, key),
        DEFAULT_SPLIT_EVERY, lambdas);
  }

  /** Each item once, in the order items first occur. */
  public Bag<T> distinct() {
    return reduceToBag("distinct", call(BagFunctions.DISTINCT), call(BagFunctions.DISTINCT_COMBINE),
        DEFAULT_SPLIT_EVERY, Map.of());
  }

  /**
   * {@code [key, value]} pairs: the items of each key, by the registered function {@code key}, folded by
   * {@code binop(accumulated, item)} from {@code initial} in each partition, and the partitions' values by
   * {@code combine(accumulated, partial)} from {@code combineInitial} (Dask's {@code foldby}).
   */
  public Bag<List<Object>> foldby(String key, String binop, Object initial, String combine, Object combineInitial) {
    return foldby(key, binop, java.util.Collections.singletonList(initial), combine,
        java.util.Collections.singletonList(combineInitial), Map.of());
  }

  /** As {@link #foldby(String, String, Object, String, Object)}, starting from each key's first item. */
  public Bag<List<Object>> foldby(String key, String binop, String combine) {
    return foldby(key, binop, List.of(), combine, List.of(), Map.of());
  }

  /** As {@link #foldby(String, String, Object, String, Object)} with lambdas (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public <K, A> Bag<List<Object>> foldby(Function<? super T, K> key, BiFunction<A, ? super T, A> binop, A initial,
      BinaryOperator<A> combine) {
    String keyName = lambdaName("foldby-key");
    String binopName = lambdaName("foldby");
    String combineName = lambdaName("foldby-combine");
    return foldby(keyName, binopName, java.util.Collections.singletonList(initial), combineName,
        java.util.Collections.singletonList(initial), Map.of(keyName, args -> key.apply((T) args[0]),
            binopName, args -> binop.apply((A) args[0], (T) args[1]),
            combineName, args -> combine.apply((A) args[0], (A) args[1])));
  }

  private Bag<List<Object>> foldby(String key, String binop, List<Object> initial, String combine,
      List<Object> combineInitial, Map<String, TaskFunction> lambdas) {
    return reduceToBag("foldby", call(BagFunctions.FOLDBY, key, binop, initial),
        call(BagFunctions.FOLDBY_COMBINE, combine, combineInitial), DEFAULT_SPLIT_EVERY, lambdas);
  }

  /**
   * {@code [key, [items...]]} pairs, the items grouped by the registered function {@code key}, in {@code npartitions}
   * partitions by the key's hash (Dask's {@code groupby} with the tasks shuffle): each partition is split once, and
   * each new partition gathers its share of every split.
   */
  public Bag<List<Object>> groupby(String key, int npartitions) {
    return groupby(key, npartitions, Map.of());
  }

  /** As {@link #groupby(String, int)} with a lambda (sync and threads schedulers only). */
  @SuppressWarnings("unchecked")
  public Bag<List<Object>> groupby(Function<? super T, ?> key, int npartitions) {
    String name = lambdaName("groupby-key");
    return groupby(name, npartitions, Map.of(name, args -> key.apply((T) args[0])));
  }

  private Bag<List<Object>> groupby(String key, int npartitions, Map<String, TaskFunction> lambdas) {
    if (npartitions < 1) {
      throw new IllegalArgumentException("groupby needs at least one partition, asked for " + npartitions);
    }
    long id = OPERATIONS.incrementAndGet();
    List<Task> tasks = new ArrayList<>();
    List<Arg> splits = new ArrayList<>(partitions.size());
    for (int i = 0; i < partitions.size(); i++) {
      String split = "groupby-split-" + id + "-" + i;
      tasks.add(Task.of(split, BagFunctions.HASH_SPLIT, key, (long) npartitions, Arg.ref(partitions.get(i))));
      splits.add(Arg.ref(split));
    }
    List<String> keys = new ArrayList<>(npartitions);
    for (int j = 0; j < npartitions; j++) {
      String group = "groupby-" + id + "-" + j;
      tasks.add(Task.of(group, BagFunctions.GROUP_BUCKET, (long) j, splits));
      keys.add(group);
    }
    return new Bag<>(Layer.of(List.of(layer), tasks, lambdas), keys);
  }

  // ---- computing

  /** The items, computed with the current configuration, in partition order. */
  public List<T> compute() {
    return compute(ComputeOptions.defaults());
  }

  /** The items, computed with {@code options} over the current configuration. */
  @SuppressWarnings("unchecked")
  public List<T> compute(ComputeOptions options) {
    Map<String, Object> values = Computes.run(layer, partitions, options);
    List<T> items = new ArrayList<>();
    for (String key : partitions) {
      items.addAll((List<T>) values.get(key));
    }
    return items;
  }

  /**
   * A bag of {@code [key, value]} pairs (such as {@link #frequencies()}'s) computed into a map, in pair order; a bag
   * of anything else fails, naming the first item that is not a pair.
   */
  public <K, V> Map<K, V> computeMap() {
    return computeMap(ComputeOptions.defaults());
  }

  /** As {@link #computeMap()}, with {@code options} over the current configuration. */
  @SuppressWarnings("unchecked")
  public <K, V> Map<K, V> computeMap(ComputeOptions options) {
    Map<K, V> map = new LinkedHashMap<>();
    for (Object item : compute(options)) {
      if (!(item instanceof List<?> pair) || pair.size() != 2) {
        throw new IllegalStateException("computeMap takes a bag of [key, value] pairs; an item is " + item);
      }
      map.put((K) pair.get(0), (V) pair.get(1));
    }
    return map;
  }

  /**
   * The first {@code n} items, computed now from the first partition only, as Dask's {@code take}: fewer if the first
   * partition has fewer.
   */
  public List<T> take(int n) {
    return take(n, 1, ComputeOptions.defaults());
  }

  /**
   * The first {@code n} items of the first {@code npartitions} partitions (-1 for all), computed now with
   * {@code options}.
   */
  @SuppressWarnings("unchecked")
  public List<T> take(int n, int npartitions, ComputeOptions options) {
    if (n < 0) {
      throw new IllegalArgumentException("take needs n >= 0, got " + n);
    }
    int from = npartitions < 0 ? partitions.size() : Math.min(npartitions, partitions.size());
    String key = "take-" + OPERATIONS.incrementAndGet();
    List<Arg> refs = partitions.subList(0, from).stream().map(Arg::ref).map(Arg.class::cast).toList();
    Layer taking = Layer.of(List.of(layer), List.of(Task.of(key, BagFunctions.TAKE, (long) n, refs)), Map.of());
    return (List<T>) Computes.run(taking, List.of(key), options).get(key);
  }

  /**
   * Writes each partition to a text file, computed now: {@code pattern}'s {@code *} is the partition's number
   * ({@code out/part-*.json.gz}); strings are written as lines, other items as JSON. Returns the paths written.
   */
  public List<String> toTextFiles(String pattern) {
    return toTextFiles(pattern, ComputeOptions.defaults());
  }

  /** As {@link #toTextFiles(String)}, computed with {@code options}. */
  @SuppressWarnings("unchecked")
  public List<String> toTextFiles(String pattern, ComputeOptions options) {
    return (List<String>) (List<?>) to(TextFiles.writeTo(pattern), options);
  }

  /**
   * Writes the items to a topic, computed now, each partition by one task: {@code toTopic(KafkaTopics.sink(connection,
   * "names", TopicFormat.AVRO))} registers the records' schema under the topic's subject. Returns how many records
   * were written. Partitions are written by tasks that may run at once, so a bag partition's records keep their order
   * within the Kafka partition they land in, and nothing orders one bag partition's records against another's; a write
   * task run again (a retry, a worker lost) writes its records again.
   */
  public long toTopic(TopicSink sink) {
    return toTopic(sink, ComputeOptions.defaults());
  }

  /** As {@link #toTopic(TopicSink)}, computed with {@code options}. */
  public long toTopic(TopicSink sink, ComputeOptions options) {
    long written = 0;
    for (Object count : to(sink, options)) {
      written += ((Number) count).longValue();
    }
    return written;
  }

  /** Writes each partition through {@code sink}, computed now; returns what each partition's write returned. */
  public List<Object> to(Sink sink, ComputeOptions options) {
    long id = OPERATIONS.incrementAndGet();
    List<Task> tasks = new ArrayList<>(partitions.size());
    List<String> keys = new ArrayList<>(partitions.size());
    for (int i = 0; i < partitions.size(); i++) {
      List<Object> args = new ArrayList<>(sink.args(i, partitions.size()));
      args.add(Arg.ref(partitions.get(i)));
      String key = "write-" + id + "-" + i;
      tasks.add(Task.of(key, sink.function(), args.toArray()));
      keys.add(key);
    }
    Map<String, Object> written = Computes.run(Layer.of(List.of(layer), tasks, Map.of()), keys, options);
    List<Object> results = new ArrayList<>(keys.size());
    keys.forEach(key -> results.add(written.get(key)));
    return results;
  }

  /** The graph that computes the partitions, as {@link #compute()} submits it (culled and fused). */
  public Graph toGraph() {
    return Computes.graph(layer, partitions, true);
  }

  /** The graph that computes the partitions; unoptimized, as the bag's operations built it. */
  public Graph toGraph(boolean optimized) {
    return Computes.graph(layer, partitions, optimized);
  }

  @Override
  public String toString() {
    return "Bag[" + partitions.size() + " partitions, last " + partitions.get(partitions.size() - 1) + "]";
  }

  // ---- building

  /** A call of {@code function} with {@code args} before the partition (or partials) it takes last. */
  private record Call(String function, List<Object> args) {}

  private static Call call(String function, Object... args) {
    return new Call(function, Arrays.asList(args));
  }

  private static String lambdaName(String step) {
    return LAMBDA_PREFIX + step + "-" + OPERATIONS.incrementAndGet();
  }

  private <R> Bag<R> withLambda(String step, String function, TaskFunction lambda) {
    String name = lambdaName(step);
    return partitionWise(step, function, Map.of(name, lambda), name, List.of());
  }

  /** One task per partition: {@code function(args..., partition)}. */
  private <R> Bag<R> partitionWise(String step, String function, Map<String, TaskFunction> lambdas, Object... args) {
    Objects.requireNonNull(function, "function");
    long id = OPERATIONS.incrementAndGet();
    List<Task> tasks = new ArrayList<>(partitions.size());
    List<String> keys = new ArrayList<>(partitions.size());
    for (int i = 0; i < partitions.size(); i++) {
      String key = step + "-" + id + "-" + i;
      Object[] taskArgs = Arrays.copyOf(args, args.length + 1);
      taskArgs[args.length] = Arg.ref(partitions.get(i));
      tasks.add(Task.of(key, function, taskArgs));
      keys.add(key);
    }
    return new Bag<>(Layer.of(List.of(layer), tasks, lambdas), keys);
  }

  private <R> Item<R> reduce(String step, Call perPartition, Call combine, Call finish, int splitEvery,
      Map<String, TaskFunction> lambdas) {
    List<Task> tasks = new ArrayList<>();
    long id = OPERATIONS.incrementAndGet();
    String combined = reduceTree(step, id, perPartition, combine, splitEvery, tasks);
    String result = combined;
    if (finish != null) {
      result = step + "-" + id;
      tasks.add(task(result, finish, Arg.ref(combined)));
    }
    return new Item<>(Layer.of(List.of(layer), tasks, lambdas), result);
  }

  private <R> Bag<R> reduceToBag(String step, Call perPartition, Call combine, int splitEvery,
      Map<String, TaskFunction> lambdas) {
    List<Task> tasks = new ArrayList<>();
    String combined = reduceTree(step, OPERATIONS.incrementAndGet(), perPartition, combine, splitEvery, tasks);
    return new Bag<>(Layer.of(List.of(layer), tasks, lambdas), List.of(combined));
  }

  /**
   * Partials of every partition, combined {@code splitEvery} at a time, level by level, until one is left (at least
   * one combine, so that one partition's answer has the shape of many's). Returns the key of the last combine.
   */
  private String reduceTree(String step, long id, Call perPartition, Call combine, int splitEvery, List<Task> tasks) {
    if (splitEvery < 2) {
      throw new IllegalArgumentException("split_every must be at least 2, got " + splitEvery);
    }
    List<String> level = new ArrayList<>(partitions.size());
    for (int i = 0; i < partitions.size(); i++) {
      String partial = step + "-partial-" + id + "-" + i;
      tasks.add(task(partial, perPartition, Arg.ref(partitions.get(i))));
      level.add(partial);
    }
    if (level.size() == 1) {
      // One partial: passed to the combine as a list of one by a task of its own, which a top-level reference reads,
      // so that the optimizer fuses partial, list and combine into one task: a reduction of a bag of one partition
      // (topk of frequencies) costs no level of the graph.
      String listed = step + "-listed-" + id;
      tasks.add(Task.of(listed, BagFunctions.LISTED, Arg.ref(level.get(0))));
      String key = step + "-combine-" + id + "-0-0";
      tasks.add(task(key, combine, Arg.ref(listed)));
      return key;
    }
    int depth = 0;
    do {
      List<String> next = new ArrayList<>((level.size() + splitEvery - 1) / splitEvery);
      for (int start = 0; start < level.size(); start += splitEvery) {
        List<Arg> group = new ArrayList<>();
        for (String key : level.subList(start, Math.min(level.size(), start + splitEvery))) {
          group.add(Arg.ref(key));
        }
        String key = step + "-combine-" + id + "-" + depth + "-" + next.size();
        tasks.add(task(key, combine, group));
        next.add(key);
      }
      level = next;
      depth++;
    } while (level.size() > 1);
    return level.get(0);
  }

  private static Task task(String key, Call call, Object last) {
    Object[] args = Arrays.copyOf(call.args().toArray(), call.args().size() + 1);
    args[call.args().size()] = last;
    return Task.of(key, call.function(), args);
  }
}
