package dev.weft.broker;

import dev.weft.broker.internal.GraphState;
import dev.weft.broker.protocol.DeadLetters;
import dev.weft.broker.protocol.GraphCommand;
import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.KafkaClients;
import dev.weft.broker.protocol.PendingSends;
import dev.weft.broker.protocol.ReadyTask;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.RegistryUnavailableException;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.TaskError;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WireSchemas;
import dev.weft.function.FunctionCatalog;
import dev.weft.function.Signature;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskFunction;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.Task;
import dev.weft.graph.internal.ExecutionPlan;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.value.MalformedValueException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker scheduler: reads graphs, publishes ready tasks, reads results, publishes events. Values never pass
 * through it: a ready task names where each input is (a partition and offset of the results topic), and a finished
 * graph names where each output is.
 *
 * <p>Schedulers share the work as a consumer group of the graphs topic: one owns a partition's graphs, and reads the
 * same partition of the results topic. Where a graph's results and events go follows from the partition the graph was
 * read from, which its ready tasks carry to the workers: never from a producer's partitioner, so graphs written by any
 * Kafka client (librdkafka's default partitioner is not Java's) are found. All state is the loop thread's, as in Dask's
 * local scheduler. When a scheduler takes over a partition it rebuilds the unfinished graphs from the two topics: it
 * reads the graphs from the oldest unfinished one, then the results from where that one's could start (both recorded
 * with the group's committed offset), and only then emits the tasks that still have no result. A task that was in
 * flight may so run twice; its second result is ignored.
 *
 * <p>Rebalances and outages are routine: a commit Kafka refuses during a rebalance is made again after it, a Kafka call
 * that times out is tried again, and records from outside that cannot be read go to the dead letters (or their graph
 * is rejected). The loop stops only on what it cannot go on from (an authorization error, say); {@link #failure()}
 * says why.
 *
 * <p>Backpressure: at most {@link SchedulerServiceConfig#MAX_IN_FLIGHT_PER_POOL} tasks of a pool are emitted and not
 * finished; the rest wait here, ready, in static order.
 */
public final class SchedulerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);
  private static final String RESULTS_MARK = "results=";
  private static final int REMEMBERED_FINISHED = 10_000;
  /** Output locations the remembered final events may hold together: 100,000 take about 13 MB of heap. */
  private static final long REMEMBERED_LOCATIONS = 200_000;
  /** How long the loop waits after Kafka or the registry failed it, before it tries again. */
  private static final long BACKOFF_MILLIS = 500;
  private static final long RESEND_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long QUIET_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** How long a commit waits for Kafka to answer what was sent before it. */
  private static final Duration SENDS_BEFORE_COMMIT_TIMEOUT = Duration.ofSeconds(5);

  private final SchedulerServiceConfig config;
  private final Topics topics;
  private final SchemaRegistryClient registry;
  private final WireCodec codec;
  private final FunctionCatalog functions;
  /** Where {@link #functions} come from, closed with the service (its plugin jars); null when names are not checked. */
  private final FunctionRegistry functionRegistry;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> graphsConsumer;
  private final KafkaConsumer<String, byte[]> resultsConsumer;
  private final DeadLetters deadLetters;
  private final RecordLimits limits;
  private final PendingSends sends = new PendingSends();
  private final Thread loop;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private volatile int unfinishedGraphs;
  private volatile boolean running = true;
  private volatile Throwable fatal;

  // Loop-thread state.
  private final Map<String, GraphState> graphs = new HashMap<>();
  /** Partitions of the graphs topic the group gave this scheduler. */
  private final Set<Integer> owned = new HashSet<>();
  /** Owned partitions whose takeover is not set up yet: their graphs are not read until it is. */
  private final Set<Integer> unprepared = new HashSet<>();
  private final Map<Integer, Recovery> recovering = new HashMap<>();
  private final Map<String, Integer> poolInFlight = new HashMap<>();
  private final ArrayDeque<GraphState> emitOrder = new ArrayDeque<>();
  /** How the newest graphs ended, to answer a resubmission of one ({@link #remember}). */
  private final LinkedHashMap<String, GraphEvent> finished = new LinkedHashMap<>();
  private long rememberedLocations;
  /** Tasks whose send failed (added by producer callbacks too): sent again, or their graph fails. */
  private final ConcurrentLinkedQueue<UnsentTask> unsentTasks = new ConcurrentLinkedQueue<>();
  /** Final events Kafka refused (added by producer callbacks), with the offset of their graph's command. */
  private final ConcurrentLinkedQueue<UnsentFinal> unsentFinals = new ConcurrentLinkedQueue<>();
  private final Map<String, Integer> partitionCounts = new HashMap<>();
  private final Map<Class<?>, Long> lastLogged = new HashMap<>();

  private record UnsentTask(String graphId, int task, int attempt, Throwable error) {}

  private record UnsentFinal(int partition, long commandOffset, GraphEvent event) {}

  private long lastResendNanos;
  private final Set<String> knownTaskTopics = new HashSet<>();
  private final int maxInFlightPerPool;
  private final long progressIntervalNanos;
  private final long commitIntervalNanos;
  private long lastCommitNanos = System.nanoTime();

  /** A partition being taken over: its graphs are read up to graphsEnd, then its results up to resultsEnd. */
  private static final class Recovery {
    final long graphsEnd;
    final long resultsStart;
    long resultsEnd = -1;

    Recovery(long graphsEnd, long resultsStart) {
      this.graphsEnd = graphsEnd;
      this.resultsStart = resultsStart;
    }
  }

  private SchedulerService(SchedulerServiceConfig config) {
    this.config = config;
    this.topics = config.topics();
    this.maxInFlightPerPool = config.getInt(SchedulerServiceConfig.MAX_IN_FLIGHT_PER_POOL);
    this.progressIntervalNanos = TimeUnit.MILLISECONDS.toNanos(
        config.getLong(SchedulerServiceConfig.PROGRESS_INTERVAL_MS));
    this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(
        config.getLong(SchedulerServiceConfig.COMMIT_INTERVAL_MS));
    this.functionRegistry = config.getBoolean(SchedulerServiceConfig.VALIDATE_FUNCTIONS) ? registry(config) : null;
    this.functions = functionRegistry == null ? null : catalog(functionRegistry);
    Map<String, Object> clients = config.clientProperties();
    config.createTopics(List.of());
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(clients)) {
      topics.verifyCoPartitioned(admin);
    }
    knownTaskTopics.add(topics.tasks(null));
    this.limits = new RecordLimits(clients, config.getInt(SchedulerServiceConfig.MAX_RECORD_BYTES), topics);
    limits.read(List.of(topics.graphs(), topics.results(), topics.events(), topics.deadLetters(), topics.tasks(null)));
    this.registry = config.registryClient();
    this.codec = new WireCodec(registry);
    try {
      // Registered now: a scheduler that cannot reach the registry says so at its start, not in its loop.
      codec.schemaId(topics.events(), WireSchemas.Kind.GRAPH_EVENT);
      codec.schemaId(topics.tasks(null), WireSchemas.Kind.READY_TASK);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    String name = config.getString(SchedulerServiceConfig.NAME);
    this.producer = KafkaClients.producer(clients, "weft-" + name);
    this.deadLetters = new DeadLetters(producer, topics, config.getInt(SchedulerServiceConfig.MAX_RECORD_BYTES));
    this.graphsConsumer = KafkaClients.groupConsumer(clients, topics.schedulerGroup(), "weft-" + name + "-graphs");
    this.resultsConsumer = KafkaClients.plainConsumer(clients, "weft-" + name + "-results");
    this.loop = new Thread(this::run, "weft-" + name);
  }

  /** Starts a scheduler; it runs until {@link #close()}. */
  public static SchedulerService start(Map<String, ?> config) {
    SchedulerService service = new SchedulerService(new SchedulerServiceConfig(config));
    service.loop.start();
    return service;
  }

  private static FunctionRegistry registry(SchedulerServiceConfig config) {
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(SchedulerService.class.getClassLoader());
    String plugins = config.getString(SchedulerServiceConfig.PLUGIN_DIR);
    if (plugins != null) {
      registry.loadPlugins(Path.of(plugins));
    }
    return registry;
  }

  /** The registry's names and signatures, and the placeholder function; no bodies: tasks run on workers. */
  private static FunctionCatalog catalog(FunctionRegistry registry) {
    return new FunctionCatalog() {
      @Override
      public boolean contains(String name) {
        return name.equals(INPUT_FUNCTION) || registry.contains(name);
      }

      @Override
      public TaskFunction lookup(String name) {
        return null;
      }

      @Override
      public String describeModules() {
        return registry.describeModules();
      }

      @Override
      public Signature signature(String name) {
        return registry.signature(name);
      }
    };
  }

  /** The reserved function of placeholder tasks that stand for results of earlier graphs. */
  public static final String INPUT_FUNCTION = "weft.input";

  /** Waits until this scheduler owns partitions of the graphs topic; false if the timeout passed first. */
  public boolean awaitAssignment(Duration timeout) throws InterruptedException {
    return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return fatal;
  }

  /** Whether the loop runs: false once it stopped, by {@link #close()} or on its own ({@link #failure()}). */
  public boolean isRunning() {
    return loop.isAlive();
  }

  /**
   * Runs this scheduler until the JVM is told to stop (SIGTERM, Ctrl-C: a shutdown hook closes it gracefully) or its
   * loop stops on its own because it cannot go on; returns the error that stopped it, or null after a graceful stop.
   */
  public Throwable runUntilShutdown() throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, loop.getName() + "-shutdown"));
    loop.join();
    return fatal;
  }

  /** Graphs this scheduler holds that have not ended, as of its loop's last turn (those it is rebuilding too). */
  public int unfinishedGraphs() {
    return unfinishedGraphs;
  }

  private void run() {
    try {
      graphsConsumer.subscribe(List.of(topics.graphs()), new Rebalance());
      while (running) {
        try {
          turn();
        } catch (RetriableException | RegistryUnavailableException | RebalanceInProgressException e) {
          // Kafka or the registry is away, or busy rebalancing: every step of a turn can be taken again.
          logQuietly(e, "the scheduler waits for Kafka or the schema registry ({}); trying again");
          Thread.sleep(BACKOFF_MILLIS);
        }
      }
    } catch (Throwable t) {
      fatal = t;
      LOG.error("the scheduler loop stopped", t);
    } finally {
      try {
        commit(owned);
      } catch (RuntimeException e) {
        LOG.warn("final commit failed: {}", e.toString());
      }
      graphsConsumer.close(Duration.ofSeconds(5));
      resultsConsumer.close(Duration.ofSeconds(5));
      producer.close(Duration.ofSeconds(5));
      registry.close();
      if (functionRegistry != null) {
        try {
          functionRegistry.close();
        } catch (RuntimeException e) {
          LOG.warn("could not close the plugin jars: {}", e.toString());
        }
      }
    }
  }

  private void turn() {
    prepareTakeovers();
    if (resultsConsumer.assignment().isEmpty()) {
      process(graphsConsumer.poll(Duration.ofMillis(100)), graphsConsumer, this::onCommand);
    } else {
      process(graphsConsumer.poll(Duration.ZERO), graphsConsumer, this::onCommand);
      boolean busy = emit();
      ConsumerRecords<String, byte[]> results;
      try {
        results = resultsConsumer.poll(Duration.ofMillis(busy ? 0 : 5));
      } catch (OffsetOutOfRangeException e) {
        // Retention deleted results not read yet (a long takeover): from the oldest left; their tasks run again.
        LOG.warn("results at {} were deleted before they were read; reading from the oldest left",
            e.offsetOutOfRangePartitions());
        resultsConsumer.seekToBeginning(e.partitions());
        return;
      }
      process(results, resultsConsumer, this::onResult);
      finishRecoveries();
    }
    emit(); // what the results just made ready
    resendUnsent();
    publishProgress();
    if (System.nanoTime() - lastCommitNanos > commitIntervalNanos) {
      commit(owned);
    }
    unfinishedGraphs = graphs.size();
  }

  /**
   * Handles polled records in order. A record a handler could not finish for a reason that is not the record's (the
   * registry or Kafka away) is read again later with those after it, the consumer moved back to them: never skipped.
   */
  private static void process(ConsumerRecords<String, byte[]> records, KafkaConsumer<String, byte[]> consumer,
      java.util.function.Consumer<ConsumerRecord<String, byte[]>> handler) {
    Map<TopicPartition, Long> unhandled = new HashMap<>();
    RuntimeException stopped = null;
    for (ConsumerRecord<String, byte[]> record : records) {
      if (stopped == null) {
        try {
          handler.accept(record);
          continue;
        } catch (RuntimeException e) {
          stopped = e;
        }
      }
      unhandled.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
    }
    if (stopped != null) {
      unhandled.forEach(consumer::seek);
      throw stopped;
    }
  }

  /** Logs what the loop waits for, once per kind of exception every ten seconds: an outage is one message, not many. */
  private void logQuietly(Throwable e, String message) {
    long now = System.nanoTime();
    Long last = lastLogged.get(e.getClass());
    boolean routine = e instanceof RebalanceInProgressException || e instanceof CommitFailedException;
    if (last == null || now - last > QUIET_LOG_NANOS) {
      lastLogged.put(e.getClass(), now);
      if (routine) {
        LOG.info(message, e.toString());
      } else {
        LOG.warn(message, e.toString());
      }
    } else {
      LOG.debug(message, e.toString());
    }
  }

  // --- graphs

  private void onCommand(ConsumerRecord<String, byte[]> record) {
    GraphCommand command;
    try {
      command = codec.decodeCommand(record.topic(), record.value());
    } catch (GraphValidationException e) {
      refuse(record, record.key(), e.getMessage(), e.problems(), e);
      return;
    } catch (MalformedValueException e) {
      refuse(record, record.key(), "the submitted graph cannot be decoded: " + e.getMessage(), List.of(), e);
      return;
    }
    if (!command.graphId().equals(record.key())) {
      // A graph's records must be keyed by its id, so that its cancellation lands where its submission did, whatever
      // partitioner wrote them; one keyed otherwise could not be cancelled.
      MalformedValueException badKey = new MalformedValueException("a record of " + record.topic() + " for graph '"
          + command.graphId() + "' is keyed " + (record.key() == null ? "null" : "'" + record.key() + "'")
          + "; a graph's records must be keyed by its id");
      refuse(record, command instanceof GraphCommand.Submit ? command.graphId() : null, badKey.getMessage(),
          List.of(), badKey);
      return;
    }
    if (command instanceof GraphCommand.Cancel) {
      cancel((GraphCommand.Cancel) command);
      return;
    }
    try {
      accept((GraphCommand.Submit) command, record.partition(), record.offset());
    } catch (KafkaException | RegistryUnavailableException e) {
      throw e; // not the graph's fault: its record is read again once Kafka or the registry is back
    } catch (RuntimeException e) {
      // Whatever one graph does wrong must not stop the scheduler: its successor would read the graph again and stop
      // too. The graph is rejected with the reason.
      LOG.error("graph {} cannot be scheduled", command.graphId(), e);
      GraphState accepted = graphs.remove(command.graphId());
      if (accepted != null) {
        emitOrder.remove(accepted);
        accepted.inFlightByTopic().forEach((topic, count) -> poolInFlight.merge(topic, -count, Integer::sum));
      }
      publishFinal(record.partition(), record.offset(), GraphEvent.rejected(command.graphId(),
          "the graph cannot be scheduled: " + e, List.of()));
    }
  }

  /**
   * Answers a graph record that cannot run: with a rejection that says why, so that its sender hears it, unless a graph
   * of that id runs here (a second record of a running graph must not end it); bytes that are no graph at all, or
   * name no graph that can be told, are put aside too. (Whoever may write the graphs topic can cancel any graph whose
   * id it knows; a rejection gives it no more than that.)
   */
  private void refuse(ConsumerRecord<String, byte[]> record, String graphId, String message,
      List<GraphValidationException.Problem> problems, RuntimeException reason) {
    boolean rejectable = graphId != null && !graphs.containsKey(graphId);
    if (!rejectable || reason instanceof MalformedValueException) {
      putAside(record, reason);
    }
    if (rejectable) {
      publishFinal(record.partition(), record.offset(), GraphEvent.rejected(graphId, message, problems));
    }
  }

  private void accept(GraphCommand.Submit submit, int partition, long offset) {
    String graphId = submit.graphId();
    if (graphs.containsKey(graphId)) {
      return; // submitted twice (a client retry); the first one runs
    }
    GraphEvent earlier = finished.get(graphId);
    if (earlier != null) {
      earlier.inParts().forEach(part -> publish(partition, part)); // answer the retry of a graph that already ended
      return;
    }
    ExecutionPlan plan;
    try {
      plan = ExecutionPlan.compile(withInputs(submit), submit.keys(), functions);
    } catch (GraphValidationException e) {
      publishFinal(partition, offset, GraphEvent.rejected(graphId, e.getMessage(), e.problems()));
      return;
    }
    String[] taskTopics = new String[plan.size()];
    for (int task = 0; task < plan.size(); task++) {
      try {
        taskTopics[task] = taskTopic(plan.task(task).pool());
      } catch (IllegalArgumentException e) {
        String key = plan.key(task);
        publishFinal(partition, offset, GraphEvent.rejected(graphId,
            "invalid graph: task '" + key + "': " + e.getMessage(),
            List.of(new GraphValidationException.Problem(GraphValidationException.Kind.UNSUPPORTED_FORMAT,
                List.of(key), "task '" + key + "': " + e.getMessage()))));
        return;
      }
    }
    Recovery recovery = recovering.get(partition);
    long resultsStart = recovery != null ? recovery.resultsStart : resultsPosition(partition);
    GraphState graph = new GraphState(graphId, partition, offset, resultsStart, plan, submit.taskEvents(),
        submit.maxInFlight(), taskTopics, submit.inputs());
    graph.setPaused(recovery != null);
    graphs.put(graphId, graph);
    emitOrder.add(graph);
    LOG.debug("accepted graph {} ({} tasks) in partition {}", graphId, plan.size(), partition);
    publish(partition, GraphEvent.accepted(graphId, graph.done(), graph.size()));
    if (graph.isComplete()) {
      complete(graph);
    }
  }

  /** The graph with a placeholder task for each input from an earlier graph, so that references to it resolve. */
  private static Graph withInputs(GraphCommand.Submit submit) {
    if (submit.inputs().isEmpty()) {
      return submit.graph();
    }
    List<Task> tasks = new ArrayList<>(submit.graph().tasks());
    for (String key : submit.inputs().keySet()) {
      if (!submit.graph().contains(key)) {
        tasks.add(Task.of(key, INPUT_FUNCTION));
      }
    }
    return Graph.of(submit.graph().id(), tasks, submit.graph().declaredOutputs());
  }

  private String taskTopic(String pool) {
    String topic = topics.tasks(pool);
    if (!knownTaskTopics.contains(topic)) {
      config.createTopics(List.of(pool));
      knownTaskTopics.add(topic);
      limits.read(List.of(topic));
    }
    return topic;
  }

  private void cancel(GraphCommand.Cancel cancel) {
    GraphState graph = graphs.get(cancel.graphId());
    if (graph == null) {
      LOG.debug("cancel of graph {}, which is not running here (it ended, or never ran)", cancel.graphId());
      return;
    }
    end(graph, GraphEvent.cancelled(graph.graphId(), cancel.reason(), graph.done(), graph.size()));
  }

  // --- results

  private void onResult(ConsumerRecord<String, byte[]> record) {
    TaskResult result;
    try {
      result = codec.decodeResult(record.topic(), record.value(), false);
    } catch (MalformedValueException e) {
      putAside(record, e);
      return;
    }
    GraphState graph = graphs.get(result.graphId());
    if (graph == null) {
      return; // a graph that ended, or a late duplicate
    }
    int task = graph.plan().indexOf(result.taskKey());
    if (task < 0) {
      LOG.warn("result for unknown task '{}' of graph {}; ignored", result.taskKey(), result.graphId());
      return;
    }
    ResultRef location = new ResultRef(record.partition(), record.offset());
    String topic = graph.topicOf(task);
    boolean retriable = result.succeeded() || result.error().retriable();
    switch (graph.onResult(task, result.attempt(), result.succeeded(), retriable, location,
        result.taskPartition())) {
      case DONE:
      case RECOVERED:
        if (graph.isPaused()) {
          if (graph.isComplete()) {
            complete(graph);
          }
          break; // rebuilding: no events for what the previous owner already published
        }
        poolInFlight.merge(topic, -1, Integer::sum);
        if (graph.taskEvents()) {
          publish(graph.partition(), GraphEvent.taskDone(graph.graphId(), result.taskKey(),
              graph.plan().task(task).function(), location, result.worker(), result.durationNanos(), graph.done(),
              graph.size()));
        }
        if (graph.isComplete()) {
          complete(graph);
        }
        break;
      case RETRY:
        send(graph, task, graph.retry(task));
        break;
      case FAILED:
        Task failed = graph.plan().task(task);
        end(graph, GraphEvent.failed(graph.graphId(), failed.key(), failed.function(), graph.attempt(task),
            result.error(), result.worker(), result.durationNanos(), graph.done(), graph.size()));
        break;
      default:
        break;
    }
  }

  private void complete(GraphState graph) {
    end(graph, GraphEvent.completed(graph.graphId(), graph.outputLocations(), graph.done(), graph.size()));
  }

  private void end(GraphState graph, GraphEvent event) {
    graphs.remove(graph.graphId());
    emitOrder.remove(graph);
    graph.setPaused(true);
    // What it had in flight no longer counts against its pools: nobody waits for those results.
    graph.inFlightByTopic().forEach((topic, count) -> poolInFlight.merge(topic, -count, Integer::sum));
    publishFinal(graph.partition(), graph.submitOffset(), event);
  }

  // --- emission

  /** Emits ready tasks while pools and graphs have room, round robin over graphs; true if any was emitted. */
  private boolean emit() {
    boolean emitted = false;
    int rounds = emitOrder.size();
    while (rounds-- > 0) {
      GraphState graph = emitOrder.poll();
      emitOrder.add(graph);
      while (graph.canEmit()) {
        int task = graph.nextReady();
        String topic = graph.topicOf(task);
        if (poolInFlight.getOrDefault(topic, 0) >= maxInFlightPerPool) {
          break;
        }
        int attempt = graph.emitNext();
        poolInFlight.merge(topic, 1, Integer::sum);
        send(graph, task, attempt);
        emitted = true;
      }
    }
    return emitted;
  }

  /**
   * Writes an attempt of a task to its pool's topic, with its graph's partition, where its result must go. Never
   * throws: a send the producer refuses is tried again from the loop, one Kafka fails for good fails the graph.
   */
  private void send(GraphState graph, int task, int attempt) {
    Task spec = graph.plan().task(task);
    String graphId = graph.graphId();
    try {
      ReadyTask ready = new ReadyTask(graphId, spec.key(), attempt, spec.function(),
          WireCodec.locate(spec.args(), key -> graph.location(graph.plan().indexOf(key))), graph.partition());
      String topic = graph.topicOf(task);
      int partition = graph.preferredPartition(task);
      Integer chosen = partition >= 0 && partition < partitionCount(topic) ? partition : null;
      byte[] encoded = codec.encode(topic, ready);
      if (encoded.length > limits.of(topic)) {
        // Its literal arguments came in a graph record of another topic, which may take more: no retry would help.
        throw new RecordTooLargeException("it is " + encoded.length + " bytes encoded with its arguments, over the "
            + limits.of(topic) + " bytes " + topic + " takes (" + limits.describe(topic) + ")");
      }
      counted(new ProducerRecord<>(topic, chosen, ready.recordKey(), encoded), error -> {
        if (error != null) {
          unsentTasks.add(new UnsentTask(graphId, task, attempt, error));
        }
      });
    } catch (RuntimeException e) {
      unsentTasks.add(new UnsentTask(graphId, task, attempt, e));
      return;
    }
    if (graph.taskEvents()) {
      publish(graph.partition(), GraphEvent.taskStarted(graphId, spec.key(), spec.function(), graph.done(),
          graph.size()));
    }
  }

  /**
   * Partitions of a tasks topic: a task goes to a partition named by a result (where its input was made) only if the
   * topic has it, so that a forged or stale result cannot make the producer wait for a partition that does not exist.
   */
  private int partitionCount(String topic) {
    Integer count = partitionCounts.get(topic);
    if (count == null) {
      count = producer.partitionsFor(topic).size();
      partitionCounts.put(topic, count);
    }
    return count;
  }

  /**
   * Sends again, at most once a second, what the producer refused (a full buffer, the registry away) or Kafka failed
   * with an error a retry may mend; a task Kafka refuses for good (too large for its topic, say) fails its graph:
   * nothing else would ever finish it. Final events Kafka refused are sent again too.
   */
  private void resendUnsent() {
    if (unsentTasks.isEmpty() && unsentFinals.isEmpty()
        || System.nanoTime() - lastResendNanos < RESEND_INTERVAL_NANOS) {
      return;
    }
    lastResendNanos = System.nanoTime();
    List<UnsentFinal> finals = new ArrayList<>(unsentFinals);
    unsentFinals.removeAll(finals);
    for (UnsentFinal unsent : finals) {
      if (owned.contains(unsent.partition())) {
        publishPart(unsent.partition(), unsent.commandOffset(), unsent.event());
      }
    }
    List<UnsentTask> tasks = new ArrayList<>(unsentTasks);
    unsentTasks.removeAll(tasks);
    for (UnsentTask unsent : tasks) {
      GraphState graph = graphs.get(unsent.graphId());
      if (graph == null || !graph.isInFlight(unsent.task(), unsent.attempt())) {
        continue; // ended, or its attempt is over
      }
      if (unsent.error() instanceof KafkaException && !(unsent.error() instanceof RetriableException)) {
        Throwable error = unsent.error();
        end(graph, GraphEvent.failed(graph.graphId(), graph.plan().key(unsent.task()),
            graph.plan().task(unsent.task()).function(), unsent.attempt(), new TaskError(error.getClass().getName(),
                "the task could not be written to Kafka: " + error.getMessage(), "", false), null, 0, graph.done(),
            graph.size()));
      } else {
        logQuietly(unsent.error(), "a task could not be written ({}); it is sent again");
        send(graph, unsent.task(), unsent.attempt());
      }
    }
  }

  // --- events

  private void publishProgress() {
    long now = System.nanoTime();
    for (GraphState graph : graphs.values()) {
      if (!graph.isPaused() && graph.progressDue(now, progressIntervalNanos)) {
        graph.progressPublished(now);
        publish(graph.partition(), GraphEvent.progress(graph.graphId(), graph.done(), graph.size()));
      }
    }
  }

  /**
   * Publishes how a graph ended, in as many events as its outputs need ({@link GraphEvent#inParts()}). Should Kafka
   * refuse one, it is sent again from the loop, and the commit stays at the graph's command until it is written: the
   * client's future waits for these events.
   */
  private void publishFinal(int partition, long commandOffset, GraphEvent event) {
    remember(event);
    for (GraphEvent part : event.inParts()) {
      publishPart(partition, commandOffset, part);
    }
  }

  /**
   * Remembers how a graph ended, forgetting the oldest endings beyond {@link #REMEMBERED_FINISHED} graphs or
   * {@link #REMEMBERED_LOCATIONS} output locations (the newest is kept whatever its size). A resubmission of a graph
   * forgotten runs it again.
   */
  private void remember(GraphEvent event) {
    GraphEvent replaced = finished.remove(event.graphId());
    if (replaced != null) {
      rememberedLocations -= replaced.locations().size();
    }
    finished.put(event.graphId(), event);
    rememberedLocations += event.locations().size();
    for (Iterator<GraphEvent> oldest = finished.values().iterator(); oldest.hasNext(); ) {
      GraphEvent forgotten = oldest.next();
      if (forgotten == event
          || finished.size() <= REMEMBERED_FINISHED && rememberedLocations <= REMEMBERED_LOCATIONS) {
        break;
      }
      rememberedLocations -= forgotten.locations().size();
      oldest.remove();
    }
  }

  private void publishPart(int partition, long commandOffset, GraphEvent part) {
    String topic = topics.events();
    try {
      counted(new ProducerRecord<>(topic, partition, part.graphId(), encodeEvent(part)), error -> {
        if (error != null) {
          LOG.error("could not publish {} of graph {} (it is sent again): {}", part.type(), part.graphId(),
              error.toString());
          unsentFinals.add(new UnsentFinal(partition, commandOffset, part));
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("could not publish {} of graph {} (it is sent again): {}", part.type(), part.graphId(),
          e.toString());
      unsentFinals.add(new UnsentFinal(partition, commandOffset, part));
    }
  }

  /** Publishes an event that a later one supersedes; one Kafka refuses is logged, not sent again. */
  private void publish(int partition, GraphEvent event) {
    String topic = topics.events();
    try {
      counted(new ProducerRecord<>(topic, partition, event.graphId(), encodeEvent(event)), error -> {
        if (error != null) {
          LOG.error("could not publish {} of graph {}: {}", event.type(), event.graphId(), error.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("could not publish {} of graph {}: {}", event.type(), event.graphId(), e.toString());
    }
  }

  /**
   * An event encoded, within what the events topic takes. Events are small by design ({@link GraphEvent#inParts()});
   * only keys or ids of near the record limit could make one too large, and then it goes without its details: a
   * COMPLETED event that cannot name its outputs becomes a failure that says why, since no reader could use it.
   */
  private byte[] encodeEvent(GraphEvent event) {
    String topic = topics.events();
    byte[] encoded = codec.encode(topic, event);
    int limit = limits.of(topic);
    if (encoded.length <= limit) {
      return encoded;
    }
    String why = "the " + event.type() + " event of graph " + event.graphId() + " is " + encoded.length
        + " bytes encoded, over the " + limit + " bytes " + topic + " takes (" + limits.describe(topic) + ")";
    LOG.error("{}; it is sent without its details", why);
    boolean unusable = event.type() == GraphEvent.Type.COMPLETED || event.type() == GraphEvent.Type.OUTPUTS;
    GraphEvent.Type type = unusable ? GraphEvent.Type.FAILED : event.type();
    return codec.encode(topic, new GraphEvent(event.graphId(), type, null, null, why, event.done(), event.total(),
        Map.of(), null, null, 0, List.of(), 0, 0));
  }

  /**
   * Sends a record, counted until Kafka answers it, so that a commit can wait for what was sent before it. {@code done}
   * runs on the producer's thread, before the send counts as answered: what it records, a commit sees.
   */
  private void counted(ProducerRecord<String, byte[]> record, java.util.function.Consumer<Exception> done) {
    sends.sent();
    try {
      producer.send(record, (metadata, error) -> {
        try {
          done.accept(error);
        } finally {
          sends.answered();
        }
      });
    } catch (RuntimeException e) {
      sends.answered();
      throw e;
    }
  }

  /** Puts a record aside; the commit that follows waits for it, so it is written before it is passed. */
  private void putAside(ConsumerRecord<String, byte[]> record, RuntimeException reason) {
    sends.sent();
    deadLetters.send(record, reason, sends::answered);
  }

  // --- ownership and recovery

  private long resultsPosition(int partition) {
    return resultsConsumer.position(new TopicPartition(topics.results(), partition));
  }

  /**
   * Sets up the takeover of partitions the group gave this scheduler: where their unfinished graphs and their results
   * start (recorded with the group's committed offset) and where they end now. Done here rather than in the rebalance
   * listener, so that a Kafka call that fails is tried again on the next turn instead of stopping the loop; until then
   * the partitions' graphs are not read.
   */
  private void prepareTakeovers() {
    if (unprepared.isEmpty()) {
      return;
    }
    List<TopicPartition> partitions = unprepared.stream().map(p -> new TopicPartition(topics.graphs(), p)).toList();
    Map<TopicPartition, OffsetAndMetadata> committed = graphsConsumer.committed(new HashSet<>(partitions));
    Map<TopicPartition, Long> ends = graphsConsumer.endOffsets(partitions);
    Map<TopicPartition, Long> resultsBeginnings = resultsConsumer.beginningOffsets(partitions.stream()
        .map(partition -> new TopicPartition(topics.results(), partition.partition())).toList());
    // Every call that can fail is made: from here on, only bookkeeping.
    List<TopicPartition> results = new ArrayList<>(resultsConsumer.assignment());
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata mark = committed.get(partition);
      long resultsStart = 0;
      if (mark != null && mark.metadata() != null && mark.metadata().startsWith(RESULTS_MARK)) {
        resultsStart = Long.parseLong(mark.metadata().substring(RESULTS_MARK.length()));
      }
      // Retention may have deleted results since (or the mark is missing): start at the oldest one left. The tasks
      // whose results are gone run again.
      long oldest = resultsBeginnings.get(new TopicPartition(topics.results(), partition.partition()));
      if (resultsStart < oldest) {
        if (resultsStart > 0) {
          LOG.warn("results of partition {} from offset {} were deleted before their graphs ended; reading from {}",
              partition.partition(), resultsStart, oldest);
        }
        resultsStart = oldest;
      }
      recovering.put(partition.partition(), new Recovery(ends.get(partition), resultsStart));
      TopicPartition resultsPartition = new TopicPartition(topics.results(), partition.partition());
      if (!results.contains(resultsPartition)) {
        results.add(resultsPartition);
      }
      added.add(resultsPartition);
    }
    resultsConsumer.assign(results);
    for (TopicPartition resultsPartition : added) {
      resultsConsumer.seek(resultsPartition, recovering.get(resultsPartition.partition()).resultsStart);
    }
    // Results wait until the partition's graphs are known again.
    resultsConsumer.pause(added);
    graphsConsumer.resume(partitions);
    unprepared.clear();
    LOG.info("taking over graph partitions {}", partitions.stream().map(TopicPartition::partition).toList());
    assigned.countDown();
  }

  /** Moves partitions whose graphs and results have been read again from recovery to live. */
  private void finishRecoveries() {
    for (Iterator<Map.Entry<Integer, Recovery>> it = recovering.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Recovery> entry = it.next();
      int partition = entry.getKey();
      Recovery recovery = entry.getValue();
      TopicPartition graphsPartition = new TopicPartition(topics.graphs(), partition);
      TopicPartition resultsPartition = new TopicPartition(topics.results(), partition);
      if (recovery.resultsEnd < 0) {
        if (graphsConsumer.position(graphsPartition) < recovery.graphsEnd) {
          continue;
        }
        // Every graph of the partition is known: its results may now be applied.
        recovery.resultsEnd = resultsConsumer.endOffsets(List.of(resultsPartition)).get(resultsPartition);
        resultsConsumer.resume(List.of(resultsPartition));
      }
      if (resultsConsumer.position(resultsPartition) >= recovery.resultsEnd) {
        it.remove();
        int resumed = 0;
        for (GraphState graph : graphs.values()) {
          if (graph.partition() == partition) {
            graph.setPaused(false);
            resumed++;
          }
        }
        LOG.info("took over partition {}: {} unfinished graphs", partition, resumed);
      }
    }
  }

  /**
   * Records, per partition, the oldest unfinished graph and where its results can start. A commit Kafka refuses while
   * the group rebalances, or cannot take now, is made again at the next interval, from the partitions then owned.
   */
  private void commit(Collection<Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    lastCommitNanos = System.nanoTime();
    // Events and tasks sent so far must be in Kafka before the graphs they belong to are committed past: a successor
    // does not send them again. Once answered, the final events Kafka refused are known too. Not flush(): it would wait
    // as long as Kafka is away; a commit that has to wait longer is left for a later interval (the last one stands).
    try {
      if (!sends.awaitAnswers(SENDS_BEFORE_COMMIT_TIMEOUT)) {
        logQuietly(new org.apache.kafka.common.errors.TimeoutException("sends unanswered after "
            + SENDS_BEFORE_COMMIT_TIMEOUT.toSeconds() + " s"), "a commit waits for Kafka to take what was sent ({})");
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (int partition : partitions) {
      if (recovering.containsKey(partition) || unprepared.contains(partition)) {
        continue; // nothing new is known; the committed position stands
      }
      long graphsFrom = graphsConsumer.position(new TopicPartition(topics.graphs(), partition));
      long resultsFrom = resultsPosition(partition);
      for (GraphState graph : graphs.values()) {
        if (graph.partition() == partition) {
          graphsFrom = Math.min(graphsFrom, graph.submitOffset());
          resultsFrom = Math.min(resultsFrom, graph.resultsStart());
        }
      }
      for (UnsentFinal unsent : unsentFinals) {
        if (unsent.partition() == partition) {
          // A successor reads the graph again and ends it again, with the event this scheduler could not write.
          graphsFrom = Math.min(graphsFrom, unsent.commandOffset());
        }
      }
      offsets.put(new TopicPartition(topics.graphs(), partition),
          new OffsetAndMetadata(graphsFrom, RESULTS_MARK + resultsFrom));
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      graphsConsumer.commitSync(offsets);
    } catch (RebalanceInProgressException | CommitFailedException | RetriableException e) {
      // The group is moving partitions, or Kafka is away: a successor would read from the last commit, which is safe,
      // and this scheduler commits again at the next interval what it still owns.
      logQuietly(e, "a commit of the graphs read waits for the group ({}); made again later");
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      List<Integer> numbers = partitions.stream().map(TopicPartition::partition).toList();
      try {
        commit(numbers);
      } catch (RuntimeException e) {
        // The successor reads from the last commit that got through: more than needed, nothing missed.
        LOG.warn("could not commit partitions {} before handing them over: {}", numbers, e.toString());
      }
      drop(numbers);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      for (TopicPartition partition : partitions) {
        owned.add(partition.partition());
        unprepared.add(partition.partition());
      }
      graphsConsumer.pause(partitions); // until prepareTakeovers() knows where their graphs and results start
      LOG.info("assigned graph partitions {}", partitions.stream().map(TopicPartition::partition).toList());
    }

    private void drop(List<Integer> partitions) {
      for (int partition : partitions) {
        owned.remove(partition);
        unprepared.remove(partition);
        recovering.remove(partition);
        for (GraphState graph : new ArrayList<>(graphs.values())) {
          if (graph.partition() == partition) {
            graphs.remove(graph.graphId());
            emitOrder.remove(graph);
            graph.inFlightByTopic().forEach((topic, count) -> poolInFlight.merge(topic, -count, Integer::sum));
          }
        }
      }
      List<TopicPartition> keep = new ArrayList<>();
      for (TopicPartition partition : resultsConsumer.assignment()) {
        if (owned.contains(partition.partition())) {
          keep.add(partition);
        }
      }
      resultsConsumer.assign(keep);
    }
  }

  /** Stops the loop, commits what it read and closes its clients. */
  @Override
  public void close() {
    // No consumer.wakeup(): the loop sees the flag within one poll (at most 100 ms), and a wakeup it did not consume
    // would make the final commit throw.
    running = false;
    try {
      loop.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
