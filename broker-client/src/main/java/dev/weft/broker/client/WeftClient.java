package dev.weft.broker.client;

import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.KafkaClients;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.PollLoop;
import dev.weft.broker.protocol.RegistryUnavailableException;
import dev.weft.broker.protocol.ResultFetcher;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.Task;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.value.MalformedValueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits graphs to the broker scheduler and follows them to their end: Dask's distributed {@code Client} for Weft.
 *
 * <pre>{@code
 * try (WeftClient client = WeftClient.connect(Map.of("bootstrap.servers", "127.0.0.1:9092",
 *     "schema.registry.url", "http://127.0.0.1:8081"))) {
 *   Map<String, Object> outputs = client.compute(graph, Duration.ofMinutes(1));
 *   TaskFuture<Object> x = client.submit("inc", 1L);
 *   TaskFuture<Object> y = client.submit("add", x, 10L);    // y's task reads x's result from Kafka
 *   System.out.println(y.get());                            // 12
 * }
 * }</pre>
 *
 * <p>The client writes graphs to the graphs topic and follows the events topic; it reads output values from the
 * results topic by the locations the scheduler reports. Thread-safe; one client serves many graphs at once.
 */
public final class WeftClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WeftClient.class);
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

  private final Topics topics;
  private final SchemaRegistryClient registry;
  private final WireCodec codec;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> events;
  private final ResultFetcher fetcher;
  private final ExecutorService readers;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final RecordLimits limits;
  private final boolean compressed;
  private final PollLoop eventLoop;
  private final String name;
  private volatile boolean running = true;
  /** Why the client stopped following events; it then refuses new graphs rather than let them wait forever. */
  private volatile Throwable broken;
  /** Graphs that completed and whose outputs are being read. */
  private final java.util.Set<GraphFuture> reading = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> adminConfig;
  private Admin admin; // made on first use: most clients never ask; guarded by this
  /** When each pool was last looked at for workers, so that a loop of submits asks Kafka once a minute at most. */
  private final Map<String, Long> poolsLookedAt = new ConcurrentHashMap<>();

  /**
   * A graph this client waits for. Touched by the event thread only, but for the future. {@code outputs} collects
   * the locations of OUTPUTS events and of the COMPLETED event, in whatever order a scheduler's resend wrote them.
   */
  private static final class Pending {
    final GraphFuture future;
    final GraphListener listener;
    final boolean readOutputs;
    Map<String, ResultRef> outputs;
    GraphEvent completed;

    Pending(GraphFuture future, GraphListener listener, boolean readOutputs) {
      this.future = future;
      this.listener = listener;
      this.readOutputs = readOutputs;
    }

    GraphFuture future() {
      return future;
    }

    GraphListener listener() {
      return listener;
    }

    void located(Map<String, ResultRef> locations) {
      if (outputs == null) {
        outputs = new LinkedHashMap<>();
      }
      outputs.putAll(locations);
    }

    /** Whether the graph completed and every output's location is known. */
    boolean answered() {
      return completed != null && outputs.size() >= completed.outputCount();
    }
  }

  private WeftClient(WeftKafkaConfig config) {
    this.topics = config.topics();
    this.name = "client-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> clients = config.clientProperties();
    this.registry = config.registryClient();
    // Graphs are large and repetitive: compressing them saves most of their bytes.
    clients.putIfAbsent("compression.type", "lz4");
    this.compressed = !"none".equals(String.valueOf(clients.get("compression.type")));
    this.codec = new WireCodec(registry);
    this.limits = new RecordLimits(clients, config.getInt(WeftKafkaConfig.MAX_RECORD_BYTES), topics);
    limits.read(List.of(topics.graphs()));
    this.adminConfig = new java.util.HashMap<>(clients);
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "weft-" + name + "-admin");
    this.producer = KafkaClients.producer(clients, "weft-" + name);
    this.fetcher = new ResultFetcher(clients, topics.results(), codec, "weft-" + name + "-results");
    this.readers = Executors.newFixedThreadPool(2, task -> {
      Thread thread = new Thread(task, "weft-" + name + "-reader");
      thread.setDaemon(true);
      return thread;
    });
    this.events = KafkaClients.plainConsumer(clients, "weft-" + name + "-events");
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : events.partitionsFor(topics.events(), Duration.ofSeconds(60))) {
      partitions.add(new TopicPartition(topics.events(), info.partition()));
    }
    if (partitions.isEmpty()) {
      events.close();
      producer.close();
      fetcher.close();
      readers.shutdownNow();
      registry.close();
      throw new IllegalStateException("topic " + topics.events() + " does not exist: is a Weft scheduler running?");
    }
    events.assign(partitions);
    events.seekToEnd(partitions);
    // Resolve the end positions now: events of graphs submitted after this line must not be skipped.
    partitions.forEach(events::position);
    this.eventLoop = new PollLoop("weft-" + name + "-events", LOG, new PollLoop.Body() {
      @Override
      public void turn() {
        followEvents();
      }

      @Override
      public void finish() {
        stopFollowingEvents();
      }
    }).daemon();
    eventLoop.start();
  }

  /** Connects with the keys of {@link WeftKafkaConfig} (and Kafka client settings). */
  public static WeftClient connect(Map<String, ?> config) {
    return new WeftClient(new WeftKafkaConfig(config));
  }

  /** Submits a graph to compute its outputs. */
  public GraphFuture submit(Graph graph) {
    return submit(graph, SubmitOptions.defaults());
  }

  /** Submits a graph to compute {@code keys}. */
  public GraphFuture submit(Graph graph, List<String> keys) {
    return submit(graph, SubmitOptions.defaults().keys(keys));
  }

  public GraphFuture submit(Graph graph, SubmitOptions options) {
    return submit(graph, options, Map.of());
  }

  private GraphFuture submit(Graph graph, SubmitOptions options, Map<String, ResultRef> inputs) {
    if (broken != null) {
      throw new IllegalStateException("this client no longer follows graph events: " + broken.getMessage(), broken);
    }
    String graphId = graph.id() != null ? graph.id() + "-" + UUID.randomUUID() : UUID.randomUUID().toString();
    GraphFuture future = new GraphFuture(this, graphId, options.keys());
    GraphCommand.Submit submit = new GraphCommand.Submit(graphId, graph, options.keys(), inputs, options.maxInFlight(),
        options.taskEvents(), name);
    byte[] encoded = codec.encode(topics.graphs(), submit);
    // Kafka's rule: the producer takes a record by its size before compression; the topic, by its size after. A
    // graph that only compression can make fit is sent, and refused by Kafka if it does not.
    int limit = compressed ? limits.ofProducer() : limits.of(topics.graphs());
    if (encoded.length > limit) {
      throw new IllegalArgumentException("graph " + graphId + " (" + graph.size() + " tasks) is " + encoded.length
          + " bytes encoded, over the " + limit + " bytes " + (compressed ? "this client sends ("
          + limits.describe(null) : topics.graphs() + " takes (" + limits.describe(topics.graphs())) + "); nothing "
          + "was sent. Submit it as smaller graphs (a graph's results can be the inputs of the next: submit(...) "
          + "with TaskFutures as arguments) or raise the limit");
    }
    pending.put(graphId, new Pending(future, options.listener(), options.readOutputs()));
    warnOfPoolsWithoutWorkers(graph, graphId);
    if (broken != null) {
      // The event thread stopped after the check above, perhaps without seeing this graph: nobody would complete it.
      pending.remove(graphId);
      throw new IllegalStateException("this client no longer follows graph events: " + broken.getMessage(), broken);
    }
    producer.send(new ProducerRecord<>(topics.graphs(), graphId, encoded),
        (metadata, error) -> {
          if (error != null) {
            pending.remove(graphId);
            String why = error instanceof RecordTooLargeException ? "it is " + encoded.length + " bytes encoded, "
                + "and still over what " + topics.graphs() + " takes once compressed (" + limits.describe(
                topics.graphs()) + "): " : "";
            future.completeExceptionally(new IllegalStateException("the graph could not be submitted: " + why
                + error.getMessage(), error));
          } else {
            future.submittedTo(metadata.partition());
          }
        });
    return future;
  }

  /**
   * Runs {@code function} on {@code args} as soon as the {@link TaskFuture}s among them (at the top level or in
   * lists) are done; their values are not fetched, the task reads them from Kafka.
   */
  public <T> TaskFuture<T> submit(String function, Object... args) {
    Map<String, TaskFuture<?>> inputs = new LinkedHashMap<>();
    Object[] converted = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      converted[i] = referenceFutures(args[i], inputs);
    }
    Graph graph = Graph.builder().task(Task.of("result", function, converted)).build();
    TaskFuture<T> result = new TaskFuture<>();
    // The task needs where its inputs are, not their values: it waits for their locations only.
    CompletableFuture<?>[] located = inputs.values().stream().map(TaskFuture::locationFuture)
        .toArray(CompletableFuture<?>[]::new);
    CompletableFuture.allOf(located).whenComplete((ignored, error) -> {
      try {
        if (error != null) {
          result.completeExceptionally(unwrap(error));
          return;
        }
        if (result.isCancelled()) {
          return;
        }
        Map<String, ResultRef> locations = new LinkedHashMap<>();
        inputs.forEach((key, input) -> locations.put(key, input.location()));
        GraphFuture submitted = submit(graph, SubmitOptions.defaults().keys(List.of("result")), locations);
        result.bind(submitted);
        if (result.isCancelled()) {
          submitted.cancel(true); // cancelled while it was being submitted
        }
        submitted.locationsFuture().whenComplete((outputs, failure) -> {
          if (failure != null) {
            result.completeExceptionally(unwrap(failure));
          } else {
            result.located(outputs.get("result"));
          }
        });
        submitted.whenComplete((values, failure) -> {
          if (failure != null) {
            result.completeExceptionally(unwrap(failure));
          } else {
            @SuppressWarnings("unchecked")
            T value = (T) values.get("result");
            result.complete(value);
          }
        });
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private static Object referenceFutures(Object arg, Map<String, TaskFuture<?>> inputs) {
    if (arg instanceof TaskFuture) {
      String key = "input-" + inputs.size();
      inputs.put(key, (TaskFuture<?>) arg);
      return Arg.ref(key);
    }
    if (arg instanceof List) {
      List<Object> items = new ArrayList<>();
      for (Object item : (List<?>) arg) {
        items.add(referenceFutures(item, inputs));
      }
      return items;
    }
    return arg;
  }

  /**
   * Computes a graph's outputs, waiting at most {@code timeout}; on timeout the graph is cancelled.
   *
   * @throws TaskFailedException if a task failed
   * @throws GraphValidationException if the scheduler rejected the graph
   */
  public Map<String, Object> compute(Graph graph, Duration timeout) {
    return await(submit(graph), timeout);
  }

  /**
   * Waits for a future as {@link #compute} does, throwing what the graph ended with; on timeout (or interruption) the
   * graph is cancelled, as a compute owns its graph. To wait without cancelling, use {@link #gather} or the future.
   */
  public static <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new CancellationException("no result within " + timeout + "; the graph was cancelled");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting; the graph was cancelled");
    } catch (ExecutionException e) {
      throw rethrowable(e.getCause());
    }
  }

  /**
   * The values of several futures, in order, once all are done, as Dask's {@code gather}. A timeout only ends the
   * wait: the graphs go on, and a later gather of the same futures can have their values.
   *
   * @throws TimeoutException if they are not all done within {@code timeout}
   * @throws RuntimeException what a future failed with ({@link TaskFailedException}, ...)
   */
  public List<Object> gather(List<? extends CompletableFuture<?>> futures, Duration timeout)
      throws TimeoutException, InterruptedException {
    List<Object> values = new ArrayList<>(futures.size());
    long deadline = System.nanoTime() + timeout.toNanos();
    for (CompletableFuture<?> future : futures) {
      try {
        values.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (ExecutionException e) {
        throw rethrowable(e.getCause());
      }
    }
    return values;
  }

  /** The futures in the order they complete (successfully or not), as Dask's {@code as_completed}. */
  public static <F extends CompletableFuture<?>> Iterable<F> asCompleted(Collection<F> futures) {
    BlockingQueue<F> completed = new LinkedBlockingQueue<>();
    for (F future : futures) {
      future.whenComplete((value, error) -> completed.add(future));
    }
    int count = futures.size();
    return () -> new Iterator<>() {
      private int taken;

      @Override
      public boolean hasNext() {
        return taken < count;
      }

      @Override
      public F next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          taken++;
          return completed.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CancellationException("interrupted while waiting for the next future");
        }
      }
    };
  }

  /**
   * Asks the scheduler to cancel a graph: it stops emitting its tasks; workers skip those already emitted. The request
   * goes to the partition the graph was submitted to, once Kafka has the submission; the future returned completes
   * once Kafka has the request (a program about to exit waits for it).
   */
  public CompletableFuture<Void> cancel(GraphFuture future, String reason) {
    GraphCommand.Cancel cancel = new GraphCommand.Cancel(future.graphId(), reason);
    byte[] encoded = codec.encode(topics.graphs(), cancel);
    CompletableFuture<Void> written = new CompletableFuture<>();
    // Async: the submission's callback, on the producer's own thread, completes the partition, and a send from there
    // could wait for buffer room that only that thread frees.
    future.partitionFuture().thenAcceptAsync(partition -> producer.send(new ProducerRecord<>(topics.graphs(), partition,
        future.graphId(), encoded), (metadata, error) -> {
          if (error != null) {
            LOG.warn("could not ask for graph {} to be cancelled: {}", future.graphId(), error.toString());
            written.completeExceptionally(error);
          } else {
            written.complete(null);
          }
        })).whenComplete((sent, failure) -> {
          if (failure != null) { // no partition (the submission failed), or the producer refused the send at once
            written.completeExceptionally(unwrap(failure));
          }
        });
    return written;
  }

  /** The value of a result, read from the results topic. */
  public Object read(ResultRef location) {
    return fetcher.value(location, READ_TIMEOUT);
  }

  // --- events

  /**
   * One turn of the events loop. An event that cannot be decoded while the registry is away is read again, with what
   * follows it in its partition, after the loop's back-off; the other partitions' events go on meanwhile.
   */
  private void followEvents() {
    Map<TopicPartition, Long> unread = new HashMap<>();
    RegistryUnavailableException registryAway = null;
    for (ConsumerRecord<String, byte[]> record : events.poll(Duration.ofMillis(200))) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      Pending waiting = record.key() == null ? null : pending.get(record.key());
      if (waiting == null || unread.containsKey(partition)) {
        continue;
      }
      GraphEvent event;
      try {
        event = codec.decodeEvent(record.topic(), record.value());
      } catch (RegistryUnavailableException e) {
        registryAway = e;
        unread.put(partition, record.offset());
        continue;
      } catch (MalformedValueException e) {
        // Not the scheduler's: it writes what this client reads. Anyone's junk must not end a graph running fine.
        LOG.warn("skipped an event for graph {} that cannot be read, at {}-{}@{}: {}", record.key(),
            record.topic(), record.partition(), record.offset(), e.getMessage());
        continue;
      }
      if (!event.graphId().equals(record.key())) {
        LOG.warn("skipped an event for graph {} keyed {}, at {}-{}@{}", event.graphId(), record.key(),
            record.topic(), record.partition(), record.offset());
        continue;
      }
      onEvent(waiting, event);
    }
    if (registryAway != null) {
      unread.forEach(events::seek);
      throw registryAway;
    }
  }

  /** The events loop's last step: if it stopped on its own, the graphs waiting hear why. */
  private void stopFollowingEvents() {
    Throwable failure = eventLoop.failure();
    if (failure != null) {
      broken = failure;
      pending.values().forEach(p -> p.future().completeExceptionally(
          new IllegalStateException("the client lost the events topic: " + failure.getMessage(), failure)));
    }
    events.close(Duration.ofSeconds(2));
  }

  /** A listener that throws has a bug of its caller's, not of the graph's: it is logged, and the events go on. */
  private static void tell(GraphEvent event, GraphListener listener, Consumer<GraphListener> call) {
    if (listener == null) {
      return;
    }
    try {
      call.accept(listener);
    } catch (Throwable t) {
      LOG.warn("the listener of graph {} threw on {}; ignored", event.graphId(), event.type(), t);
    }
  }

  private void onEvent(Pending waiting, GraphEvent event) {
    GraphFuture future = waiting.future();
    GraphListener listener = waiting.listener();
    switch (event.type()) {
      case ACCEPTED:
        future.progress(event.done(), event.total());
        tell(event, listener, l -> l.accepted(event.total()));
        break;
      case PROGRESS:
        future.progress(event.done(), event.total());
        tell(event, listener, l -> l.progress(event.done(), event.total()));
        break;
      case TASK_STARTED:
        tell(event, listener, l -> l.taskStarted(event.taskKey(), event.function()));
        break;
      case TASK_DONE:
        future.progress(event.done(), event.total());
        tell(event, listener, l -> l.taskDone(event.taskKey(), event.function(),
            event.locations().get(event.taskKey()), event.worker(), event.durationNanos()));
        break;
      case OUTPUTS:
        waiting.located(event.locations());
        answerIfLocated(waiting);
        break;
      case COMPLETED:
        future.progress(event.done(), event.total());
        waiting.located(event.locations());
        waiting.completed = event;
        answerIfLocated(waiting);
        break;
      case FAILED:
        pending.remove(event.graphId());
        future.completeExceptionally(event.taskKey() == null
            ? new IllegalStateException(event.message())
            : new TaskFailedException(event.taskKey(), event.function(), event.attempts(),
                event.error() == null ? event.message() : null,
                event.error() == null ? null : event.error().toException()));
        break;
      case REJECTED:
        pending.remove(event.graphId());
        future.completeExceptionally(event.problems().isEmpty()
            ? new GraphValidationException(new GraphValidationException.Problem(
                GraphValidationException.Kind.UNSUPPORTED_FORMAT, List.of(), event.message()))
            : new GraphValidationException(event.problems()));
        break;
      case CANCELLED:
        pending.remove(event.graphId());
        future.completeExceptionally(new CancellationException("graph " + event.graphId() + " was cancelled: "
            + event.message()));
        break;
      default:
        break;
    }
  }

  /** Once a graph completed and the locations of all its outputs are known, reads their values. */
  private void answerIfLocated(Pending waiting) {
    if (!waiting.answered()) {
      return;
    }
    GraphFuture future = waiting.future();
    pending.remove(future.graphId());
    Map<String, ResultRef> locations = waiting.outputs;
    future.located(locations);
    if (!waiting.readOutputs) {
      future.complete(Map.of());
      return;
    }
    reading.add(future);
    readers.execute(() -> readOutputs(future, locations));
  }

  private void readOutputs(GraphFuture future, Map<String, ResultRef> locations) {
    try {
      Map<ResultRef, TaskResult> read = fetcher.fetch(locations.values(), READ_TIMEOUT);
      Map<String, Object> values = new LinkedHashMap<>();
      List<String> keys = future.keys() != null ? future.keys() : new ArrayList<>(locations.keySet());
      for (String key : keys) {
        values.put(key, read.get(locations.get(key)).value());
      }
      future.complete(values);
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    } finally {
      reading.remove(future);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static RuntimeException rethrowable(Throwable cause) {
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IllegalStateException(cause);
  }

  /**
   * The worker pools of {@code graph} that no worker serves now: their consumer groups have no members (or were never
   * joined), so their tasks wait until a worker of that pool starts. Workers may come later: a pool named here is not
   * an error. Completes with what Kafka answers within 5 s, or exceptionally if it does not.
   */
  public CompletableFuture<java.util.Set<String>> poolsWithoutWorkers(Graph graph) {
    java.util.Set<String> pools = new java.util.TreeSet<>();
    graph.tasks().forEach(task -> pools.add(Topics.poolName(task.pool())));
    long now = System.nanoTime();
    pools.forEach(pool -> poolsLookedAt.put(pool, now)); // the caller has the answer: submit need not warn of them
    return poolsWithoutWorkers(pools);
  }

  private CompletableFuture<java.util.Set<String>> poolsWithoutWorkers(java.util.Set<String> pools) {
    Map<String, String> groups = new LinkedHashMap<>();
    pools.forEach(pool -> groups.put(topics.workerGroup(pool), pool));
    Map<String, KafkaFuture<ConsumerGroupDescription>> described;
    synchronized (this) {
      if (!running) {
        return CompletableFuture.failedFuture(new IllegalStateException("the client closed"));
      }
      if (admin == null) {
        admin = Admin.create(adminConfig);
      }
      described = admin.describeConsumerGroups(groups.keySet()).describedGroups();
    }
    java.util.Set<String> idle = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> answers = new ArrayList<>();
    described.forEach((group, description) -> answers.add(description.toCompletionStage().toCompletableFuture()
        .handle((found, error) -> {
          Throwable cause = unwrap(error);
          if (cause != null && !(cause instanceof GroupIdNotFoundException)) {
            throw new CompletionException(cause); // not an answer about the pool: Kafka did not say
          }
          if (cause != null || found.members().isEmpty()) {
            idle.add(groups.get(group));
          }
          return null;
        })));
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(done -> java.util.Set.copyOf(new java.util.TreeSet<>(idle)));
  }

  /**
   * Logs a warning for each pool of {@code graph} that no worker serves, so that a graph waiting for one is not left
   * at 0% with nothing said. Asked in the background, of each pool at most once a minute (and not of pools that the
   * caller asked about with {@link #poolsWithoutWorkers(Graph)} in that minute).
   */
  private void warnOfPoolsWithoutWorkers(Graph graph, String graphId) {
    long now = System.nanoTime();
    java.util.Set<String> due = new java.util.TreeSet<>();
    graph.tasks().forEach(task -> {
      String pool = Topics.poolName(task.pool());
      Long last = poolsLookedAt.get(pool);
      if ((last == null || now - last > POOL_LOOK_INTERVAL_NANOS) && !due.contains(pool)
          && (last == null ? poolsLookedAt.putIfAbsent(pool, now) == null : poolsLookedAt.replace(pool, last, now))) {
        due.add(pool);
      }
    });
    if (due.isEmpty()) {
      return;
    }
    poolsWithoutWorkers(due).whenComplete((idle, error) -> {
      if (idle != null) {
        idle.forEach(pool -> LOG.warn("no worker serves pool '{}' now (consumer group {} has no members): the tasks of "
            + "graph {} in that pool wait for one", pool, topics.workerGroup(pool), graphId));
      }
    });
  }

  private static final long POOL_LOOK_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  @Override
  public void close() {
    synchronized (this) {
      running = false;
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
      }
    }
    eventLoop.close(Duration.ofSeconds(5));
    readers.shutdownNow();
    CancellationException closed = new CancellationException("the client closed");
    pending.values().forEach(p -> p.future().completeExceptionally(closed));
    reading.forEach(future -> future.completeExceptionally(closed));
    producer.close(Duration.ofSeconds(5));
    fetcher.close();
    registry.close();
  }
}
