package dev.weft.worker;

import dev.weft.broker.protocol.DeadLetters;
import dev.weft.broker.protocol.KafkaClientSupplier;
import dev.weft.broker.protocol.PendingSends;
import dev.weft.broker.protocol.PollLoop;
import dev.weft.broker.protocol.ReadyTask;
import dev.weft.broker.protocol.RecordLimits;
import dev.weft.broker.protocol.RegistryUnavailableException;
import dev.weft.broker.protocol.ResultFetcher;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.ResultsUnavailableException;
import dev.weft.broker.protocol.TaskArg;
import dev.weft.broker.protocol.TaskError;
import dev.weft.broker.protocol.TaskResult;
import dev.weft.broker.protocol.TopicAdmin;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WireSchemas;
import dev.weft.broker.telemetry.HttpEndpoint;
import dev.weft.broker.telemetry.WeftMetrics;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskContext;
import dev.weft.function.internal.ResultLimit;
import dev.weft.function.internal.TaskInvocation;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.value.MalformedValueException;
import dev.weft.worker.internal.CommitTracker;
import dev.weft.worker.internal.DeathWatch;
import dev.weft.worker.internal.FinishedGraphs;
import dev.weft.worker.internal.ResultCache;
import dev.weft.worker.internal.TaskReporter;
import dev.weft.worker.internal.TaskThreads;
import dev.weft.worker.internal.WorkerMeters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateless worker of the broker scheduler. It belongs to its pool's consumer group on the pool's tasks topic, runs
 * the tasks it receives on a bounded thread pool, and writes each result to the results topic. It commits a task's
 * offset only after the result is acknowledged, so a worker that dies loses nothing: its unfinished tasks go to
 * another member of the group, and a task that ran twice writes a second result that the scheduler ignores.
 *
 * <p>Inputs are read by location: first from this worker's cache (which holds what it made itself), then from the
 * results topic. The poll loop never waits for a task: when enough tasks are queued it pauses its partitions and keeps
 * polling, so a task longer than {@code max.poll.interval.ms} does not cost the worker its membership (and does not
 * run twice). Tasks of a graph that has ended (cancelled or failed) are skipped.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(50);
  private static final long PAUSED_POLL_NANOS = POLL_TIMEOUT.toNanos();
  private static final long REGISTRY_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long SEND_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final String name;
  private final Topics topics;
  private final String tasksTopic;
  private final FunctionRegistry functions;
  private final SchemaRegistryClient registry;
  private final WireCodec codec;
  private final Consumer<String, byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final ResultFetcher fetcher;
  private final DeadLetters deadLetters;
  private volatile int resultsPartitions;
  private final ResultCache cache;
  private final FinishedGraphs endedGraphs;
  private final ThreadPoolExecutor executor;
  /** One thread that decodes polled batches and reads their inputs, in the order they were polled. */
  private final ThreadPoolExecutor inputs;
  private final Duration inputTimeout;
  /** The largest result the results topic takes, and the settings that make it so. */
  private final ResultLimit resultLimit;
  private final TaskContext context;
  private final long revokeWaitNanos;
  private final long commitIntervalNanos;
  private long lastCommitNanos;
  private final int capacity;
  private final PollLoop loop;
  private final WeftMetrics metrics;
  private final WorkerMeters meters;
  /** Publishes this worker's reports to the workers topic; null when reports are off (an interval of 0). */
  private final TaskReporter reporter;
  /** Health and metrics; null when {@code weft.http.port} is -1 (a worker's default). */
  private volatile HttpEndpoint http;
  private final CountDownLatch assigned = new CountDownLatch(1);
  /** Records whose task ended (true: its result is written) or was dropped (false: its partition moved away). */
  private final ConcurrentLinkedQueue<Map.Entry<ConsumerRecord<String, byte[]>, Boolean>> settled =
      new ConcurrentLinkedQueue<>();
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  private final Map<TopicPartition, AtomicInteger> runningTasks = new ConcurrentHashMap<>();
  private final AtomicLong tasksRun = new AtomicLong();
  private final AtomicLong tasksFailed = new AtomicLong();
  private final AtomicInteger queued = new AtomicInteger();
  private final CommitTracker commits = new CommitTracker();
  private final PendingSends sends = new PendingSends();
  /** Results Kafka gave up on, to send again from the poll thread. */
  private final ConcurrentLinkedQueue<Runnable> resends = new ConcurrentLinkedQueue<>();
  private final DeathWatch deaths;
  /** Records that run alone (or not at all), in the order polled; poll thread only. */
  private final ArrayDeque<ConsumerRecord<String, byte[]>> alone = new ArrayDeque<>();
  /** The record running alone, or null; poll thread only. */
  private ConsumerRecord<String, byte[]> runningAlone;
  /** Requests of task threads that run a record alone, for the poll thread to commit. */
  private final ConcurrentLinkedQueue<Naming> namings = new ConcurrentLinkedQueue<>();

  /** A record that runs alone, to be named in a commit before it starts ({@code start}) or cleared after it ran. */
  private record Naming(TopicPartition partition, long offset, boolean start, CompletableFuture<Boolean> done) {}
  /** Task threads take it to run a task; one that runs alone takes it exclusively. Fair: a waiting one goes next. */
  private final ReentrantReadWriteLock isolation = new ReentrantReadWriteLock(true);
  private volatile boolean running = true;
  private volatile boolean paused;
  /** Whether the loop subscribed to the tasks topic yet; loop thread only. */
  private boolean subscribed;

  private Worker(WorkerConfig config, KafkaClientSupplier kafka, TopicAdmin admin, SchemaRegistryClient registry) {
    this.name = config.getString(WorkerConfig.NAME);
    this.topics = config.topics();
    String pool = config.getString(WorkerConfig.POOL);
    this.tasksTopic = topics.tasks(pool);
    this.functions = FunctionRegistry.fromClassLoader(Worker.class.getClassLoader());
    String plugins = config.getString(WorkerConfig.PLUGIN_DIR);
    if (plugins != null) {
      functions.loadPlugins(Path.of(plugins));
    }
    Map<String, Object> clients = config.clientProperties();
    // What may fail while Kafka or the registry is away comes before the clients, which would be left open.
    admin.createTasksTopic(pool);
    // What the results topic takes, as Kafka says: a result larger fails its task naming the limit.
    this.resultLimit = ResultLimit.ofTopic(topics.results(), admin.limitOf(topics.results()),
        admin.describeLimit(topics.results()));
    this.registry = registry;
    this.codec = new WireCodec(registry);
    // Registered now, so that a registry away later never stands between a task and its result.
    codec.schemaId(topics.results(), WireSchemas.Kind.TASK_RESULT);
    long reportInterval = config.getLong(WorkerConfig.REPORT_INTERVAL_MS);
    if (reportInterval > 0) {
      codec.schemaId(topics.workers(), WireSchemas.Kind.WORKER_REPORT); // nor between a report and its topic
    }
    this.producer = kafka.producer(clients, "weft-" + name);
    try {
      this.resultsPartitions = producer.partitionsFor(topics.results()).size();
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    this.consumer = kafka.groupConsumer(clients, topics.workerGroup(pool), "weft-" + name);
    this.deadLetters = new DeadLetters(producer, topics, config.getInt(WorkerConfig.MAX_RECORD_BYTES));
    this.fetcher = new ResultFetcher(kafka.plainConsumer(clients, "weft-" + name + "-inputs"), topics.results(), codec);
    this.cache = new ResultCache(config.getLong(WorkerConfig.CACHE_BYTES));
    this.endedGraphs = new FinishedGraphs(kafka.plainConsumer(clients, "weft-" + name + "-events"), topics.events(),
        codec, "weft-" + name);
    int threads = config.getInt(WorkerConfig.THREADS);
    this.capacity = threads * config.getInt(WorkerConfig.QUEUED_PER_THREAD);
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        new TaskThreads("weft-" + name + "-task-"));
    this.inputs = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread thread = new Thread(task, "weft-" + name + "-inputs");
      thread.setDaemon(true);
      return thread;
    });
    this.context = resultLimit.context("broker", functions);
    this.inputTimeout = Duration.ofMillis(config.getLong(WorkerConfig.INPUT_TIMEOUT_MS));
    this.revokeWaitNanos = TimeUnit.MILLISECONDS.toNanos(config.getLong(WorkerConfig.REVOKE_WAIT_MS));
    this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.getLong(WorkerConfig.COMMIT_INTERVAL_MS));
    this.deaths = new DeathWatch(config.getInt(WorkerConfig.MAX_TASK_DEATHS));
    this.lastCommitNanos = System.nanoTime();
    this.metrics = new WeftMetrics("worker", name);
    this.meters = new WorkerMeters(metrics.registry(), Topics.poolName(pool), cache, this::tasksOnThreads,
        () -> Math.max(0, queued.get() - tasksOnThreads()));
    metrics.bindKafkaClient(producer, "producer");
    metrics.bindKafkaClient(consumer, "tasks"); // its lag is what a pool is scaled on
    this.reporter = reportInterval > 0 ? makeReporter(config, clients, kafka, pool, threads, reportInterval) : null;
    this.loop = new PollLoop("weft-" + name, LOG, new PollLoop.Body() {
      @Override
      public void turn() {
        if (!subscribed) {
          // On the loop's thread, so that a failure here stops the loop and finish() closes every client.
          consumer.subscribe(List.of(tasksTopic), new Rebalance());
          subscribed = true;
        }
        Worker.this.turn();
      }

      @Override
      public void finish() {
        shutDown();
      }
    });
  }

  /** Makes the reporter, with a producer of its own (see {@link TaskReporter} for why); it starts with the worker. */
  private TaskReporter makeReporter(WorkerConfig config, Map<String, Object> clients, KafkaClientSupplier kafka,
      String pool, int threads, long interval) {
    Producer<String, byte[]> reports = kafka.producer(TaskReporter.producerSettings(clients),
        "weft-" + name + "-reports");
    metrics.bindKafkaClient(reports, "reports");
    return new TaskReporter(name, Topics.poolName(pool), threads, topics.workers(), codec, reports,
        new TaskReporter.State() {
          @Override
          public long tasksRun() {
            return tasksRun.get();
          }

          @Override
          public long tasksFailed() {
            return tasksFailed.get();
          }

          @Override
          public long cacheBytes() {
            return cache.bytes();
          }

          @Override
          public long cacheHits() {
            return cache.hits();
          }

          @Override
          public long cacheMisses() {
            return cache.misses();
          }

          @Override
          public List<Integer> partitions() {
            return owned.stream().map(TopicPartition::partition).sorted().toList();
          }
        }, Duration.ofMillis(interval), config.getInt(WorkerConfig.REPORT_MAX_TASKS));
  }

  /** Tasks on a task thread now (waiting for one that runs alone too). */
  private int tasksOnThreads() {
    int count = 0;
    for (AtomicInteger running : runningTasks.values()) {
      count += running.get();
    }
    return count;
  }

  /** Starts a worker; it runs until {@link #close()}. */
  public static Worker start(Map<String, ?> config) {
    return start(config, KafkaClientSupplier.DEFAULT);
  }

  /** Starts a worker whose Kafka clients come from {@code kafka}; it runs until {@link #close()}. */
  public static Worker start(Map<String, ?> config, KafkaClientSupplier kafka) {
    WorkerConfig workerConfig = new WorkerConfig(config);
    RecordLimits limits = new RecordLimits(workerConfig.clientProperties(),
        workerConfig.getInt(WorkerConfig.MAX_RECORD_BYTES), workerConfig.topics());
    SchemaRegistryClient registry = workerConfig.registryClient();
    try {
      return start(workerConfig, kafka, TopicAdmin.of(workerConfig, limits), registry);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /** Starts a worker on the parts given: a unit test hands in mock clients, fixed limits, a registry in memory. */
  static Worker start(WorkerConfig config, KafkaClientSupplier kafka, TopicAdmin admin,
      SchemaRegistryClient registry) {
    Worker worker = new Worker(config, kafka, admin, registry);
    // The endpoint and the reporter start before the loop, whose finish() closes them: a loop that stopped at once
    // would otherwise find them not started yet, and leave them open.
    int port = config.getInt(WorkerConfig.HTTP_PORT);
    if (port >= 0) {
      try {
        worker.http = HttpEndpoint.start(config.getString(WorkerConfig.HTTP_HOST), port, false, worker::isHealthy,
            worker.metrics, worker.loop.name());
        LOG.info("worker {} serves HTTP at {}", worker.name, worker.http.address());
      } catch (RuntimeException e) {
        worker.loop.fail(e); // no turn runs: finish() closes every client
        worker.loop.start();
        try {
          worker.loop.join();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
        throw e;
      }
    }
    if (worker.reporter != null) {
      worker.reporter.start();
    }
    worker.loop.start();
    return worker;
  }

  public String name() {
    return name;
  }

  /** Waits until the group gave this worker partitions; false if the timeout passed first. */
  public boolean awaitAssignment(Duration timeout) throws InterruptedException {
    return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Healthy: its loop runs and the group gave it partitions (what {@code GET /health} answers). */
  public boolean isHealthy() {
    return loop.isRunning() && assigned.getCount() == 0;
  }

  /** Where this worker serves {@code /health} and {@code /metrics}; null when it serves none. */
  public java.net.URI httpAddress() {
    HttpEndpoint endpoint = http;
    return endpoint == null ? null : endpoint.address();
  }

  /** This worker's meters, which {@code /metrics} serves. */
  public WeftMetrics metrics() {
    return metrics;
  }

  /** Tasks this worker has run (whatever their outcome). */
  public long tasksRun() {
    return tasksRun.get();
  }

  /** Tasks this worker has run that failed (their function threw, an input could not be read, a result was refused). */
  public long tasksFailed() {
    return tasksFailed.get();
  }

  /** Inputs found in this worker's cache, and those read from Kafka. */
  public long cacheHits() {
    return cache.hits();
  }

  public long cacheMisses() {
    return cache.misses();
  }

  /** The error that stopped the worker, or null. */
  public Throwable failure() {
    return loop.failure();
  }

  /** Whether the worker's loop runs: false once it stopped, by {@link #close()} or on its own ({@link #failure()}). */
  public boolean isRunning() {
    return loop.isRunning();
  }

  /**
   * Runs this worker until the JVM is told to stop (SIGTERM, Ctrl-C: a shutdown hook closes it gracefully) or it stops
   * on its own because it cannot go on; returns the error that stopped it, or null after a graceful stop.
   */
  public Throwable runUntilShutdown() throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "weft-" + name + "-shutdown"));
    loop.join();
    return loop.failure();
  }

  private void turn() {
    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(paused ? Duration.ZERO : POLL_TIMEOUT)) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      commits.started(partition, record.offset());
      queued.incrementAndGet();
      if (deaths.roleOf(partition, record.offset()) == DeathWatch.Role.AS_USUAL) {
        batch.add(record);
      } else {
        alone.add(record);
      }
    }
    if (!batch.isEmpty()) {
      inputs.execute(() -> prepare(batch, DeathWatch.Role.AS_USUAL));
    }
    settleFinished();
    for (Runnable resend; (resend = resends.poll()) != null; ) {
      resend.run();
    }
    answerNamings();
    runAlone();
    throttle();
    if (System.nanoTime() - lastCommitNanos >= commitIntervalNanos) {
      commit(false);
    }
    if (paused) {
      // Nothing to fetch until tasks finish: a finishing task wakes the loop, which polls within 50 ms anyway.
      LockSupport.parkNanos(this, PAUSED_POLL_NANOS);
    }
  }

  /**
   * Hands over the next record that must run alone, once the last one is over. Its task thread takes the worker to
   * itself, then has it named in a commit before it starts ({@link #answerNamings}).
   */
  private void runAlone() {
    while (runningAlone == null && !alone.isEmpty()) {
      ConsumerRecord<String, byte[]> record = alone.poll();
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      if (!owned.contains(partition)) {
        settle(record, false); // moved to another worker: it runs there
        continue;
      }
      DeathWatch.Role role = deaths.roleOf(partition, record.offset());
      runningAlone = record;
      inputs.execute(() -> prepare(List.of(record), role));
    }
  }

  /**
   * Commits, for the task thread that runs a record alone (and holds the worker to itself), that the record starts,
   * and later that it ran: a worker that dies in between is known to have died of that record and of nothing else. A
   * commit Kafka refuses now is made on a later turn; the task thread waits for it.
   */
  private void answerNamings() {
    for (Naming naming; (naming = namings.peek()) != null; ) {
      if (!owned.contains(naming.partition())) {
        namings.poll();
        naming.done().complete(false); // moved to another worker: it runs there
        continue;
      }
      if (naming.start()) {
        deaths.runningAlone(naming.partition(), naming.offset());
      } else {
        deaths.ranAlone(naming.partition(), naming.offset());
      }
      commit(true);
      namings.poll();
      naming.done().complete(true);
    }
  }

  /** Has the poll thread commit a naming; false if the partition moved away or the worker stops meanwhile. */
  private boolean named(TopicPartition partition, long offset, boolean start) throws InterruptedException {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    namings.add(new Naming(partition, offset, start, done));
    loop.unpark();
    while (true) {
      try {
        return done.get(100, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        if (!running || loop.failure() != null) {
          return false;
        }
      } catch (ExecutionException e) {
        return false;
      }
    }
  }

  /** Pauses fetching while enough tasks wait; resumes when half of them ran. */
  private void throttle() {
    int waiting = queued.get();
    if (waiting >= capacity) {
      // Again on every turn while paused: partitions assigned meanwhile must not fetch their backlog either.
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused && waiting <= capacity / 2) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void settleFinished() {
    for (Map.Entry<ConsumerRecord<String, byte[]>, Boolean> entry; (entry = settled.poll()) != null; ) {
      ConsumerRecord<String, byte[]> record = entry.getKey();
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      if (entry.getValue()) {
        commits.finished(partition, record.offset());
      }
      if (record == runningAlone) {
        runningAlone = null; // the next may start once this one's thread lets go of the worker
      }
      queued.decrementAndGet();
    }
  }

  private void finished(ConsumerRecord<String, byte[]> record) {
    settle(record, true);
  }

  private void settle(ConsumerRecord<String, byte[]> record, boolean completed) {
    settled.add(Map.entry(record, completed));
    if (paused) {
      loop.unpark();
    }
  }

  private void commit(boolean sync) {
    commit(sync, false);
  }

  /** @param handedOver whether the partitions are handed over gracefully: no death for their next owner to count */
  private void commit(boolean sync, boolean handedOver) {
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.toCommit(
        (partition, offset) -> deaths.mark(partition, offset, handedOver));
    if (offsets.isEmpty()) {
      return;
    }
    lastCommitNanos = System.nanoTime();
    if (sync) {
      consumer.commitSync(offsets);
      commits.committed(offsets);
    } else {
      // Recorded as committed only once Kafka said so: a failed commit is tried again by the next one.
      consumer.commitAsync(offsets, (committed, error) -> {
        if (error == null) {
          commits.committed(committed);
        } else {
          LOG.debug("commit of {} failed ({}); the next one covers it", committed, error.toString());
        }
      });
    }
  }

  // --- running a task (on a pool thread)

  /** A task decoded, with the inputs read for its batch, and how it is to be run. */
  private record Prepared(ConsumerRecord<String, byte[]> record, ReadyTask task, Inputs inputs, DeathWatch.Role role) {}

  /**
   * The inputs of a batch of tasks: values read from Kafka, values found in this worker's cache (held here, since the
   * cache may drop them before the tasks run), or why they could not be read; and, when the worker reports its tasks,
   * the encoded size of each (else null).
   */
  private record Inputs(Map<ResultRef, TaskResult> read, Map<ResultRef, Object> held, RuntimeException failure,
      Map<ResultRef, Long> sizes) {}

  /**
   * Decodes a polled batch and reads the inputs that none of this worker's cache holds, for all its tasks in one pass
   * (a task's inputs are mostly on other partitions' records; one read per task would cost a broker round trip each),
   * then hands the tasks to the task threads. Runs on the single input thread.
   */
  private void prepare(List<ConsumerRecord<String, byte[]>> batch, DeathWatch.Role role) {
    List<ConsumerRecord<String, byte[]>> runnable = new ArrayList<>(batch.size());
    List<ReadyTask> tasks = new ArrayList<>(batch.size());
    Set<ResultRef> missing = new HashSet<>();
    Map<ResultRef, Object> held = new HashMap<>();
    Map<ResultRef, Long> sizes = reporter == null ? null : new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : batch) {
      if (!owned.contains(new TopicPartition(record.topic(), record.partition()))) {
        settle(record, false); // moved to another worker: it runs there
        continue;
      }
      ReadyTask task = decode(record);
      if (task == null) {
        if (!running || loop.failure() != null) {
          settle(record, false);
        }
        continue; // put aside, or the worker stops
      }
      if (endedGraphs.hasEnded(task.graphId())) {
        finished(record); // cancelled or failed: nobody needs this result
        continue;
      }
      collectInputs(task.args(), missing, held, sizes);
      runnable.add(record);
      tasks.add(task);
    }
    Inputs inputs = readInputs(missing, held, sizes);
    for (int i = 0; i < runnable.size(); i++) {
      Prepared prepared = new Prepared(runnable.get(i), tasks.get(i), inputs, role);
      executor.execute(() -> runTask(prepared));
    }
  }

  /**
   * The task a record holds; null if it is not one (it goes to the dead letters, and is settled once it is there) or
   * the worker stopped while the registry could not be reached. Waits for the registry as long as the worker runs: a
   * record is never put aside for the registry's outage.
   */
  private ReadyTask decode(ConsumerRecord<String, byte[]> record) {
    while (running && loop.failure() == null) {
      try {
        return codec.decodeTask(record.topic(), record.value());
      } catch (MalformedValueException e) {
        sends.sent();
        deadLetters.send(record, e, () -> {
          sends.answered();
          finished(record);
        });
        return null;
      } catch (RegistryUnavailableException e) {
        LOG.warn("worker {} waits for the schema registry to read {}-{}@{}: {}", name, record.topic(),
            record.partition(), record.offset(), e.getMessage());
        LockSupport.parkNanos(REGISTRY_RETRY_NANOS);
      }
    }
    return null;
  }

  /**
   * Reads the inputs that no cache holds. While Kafka cannot give them (it is away), the read is tried again, as long
   * as the worker runs: a task must not fail for an outage. An input that is not there and never will be fails the
   * tasks that need it.
   */
  private Inputs readInputs(Set<ResultRef> missing, Map<ResultRef, Object> held, Map<ResultRef, Long> sizes) {
    if (missing.isEmpty()) {
      return new Inputs(Map.of(), held, null, sizes);
    }
    while (true) {
      try {
        return new Inputs(fetcher.fetch(missing, inputTimeout, sizes), held, null, sizes);
      } catch (ResultsUnavailableException | RegistryUnavailableException e) {
        if (!running || loop.failure() != null) {
          return new Inputs(Map.of(), held, e, sizes);
        }
        LOG.warn("worker {} waits for Kafka or the schema registry to read inputs: {}", name, e.getMessage());
        LockSupport.parkNanos(REGISTRY_RETRY_NANOS);
      } catch (RuntimeException e) {
        return new Inputs(Map.of(), held, e, sizes);
      }
    }
  }

  private void runTask(Prepared prepared) {
    ConsumerRecord<String, byte[]> record = prepared.record();
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    // Counted before ownership is checked: a revocation either waits for this task or is seen by the check below.
    AtomicInteger runningHere = runningTasks.computeIfAbsent(partition, p -> new AtomicInteger());
    runningHere.incrementAndGet();
    try {
      if (!owned.contains(partition)) {
        // The partition moved to another worker before this task started: it runs there, from the uncommitted offset.
        settle(record, false);
        return;
      }
      switch (prepared.role()) {
        case KILLED_WORKERS:
          failKilledWorkers(record, prepared.task());
          break;
        case ALONE:
          runAlone(record, partition, prepared);
          break;
        default:
          isolation.readLock().lock();
          try {
            // Checked again: waiting for a task that runs alone, the partition may have moved away.
            if (owned.contains(partition)) {
              runOwnedTask(record, prepared.task(), prepared.inputs());
            } else {
              settle(record, false);
            }
          } finally {
            isolation.readLock().unlock();
          }
      }
    } catch (Throwable t) {
      // Not even a failure result could be made (out of memory, say): stop, uncommitted; the group hands the task on.
      fail(t);
    } finally {
      runningHere.decrementAndGet();
    }
  }

  /**
   * Runs a task alone: with the worker to itself (no other task runs until it ran), named in a commit before it starts
   * and cleared after, so that a worker dying meanwhile can have died of it only.
   */
  private void runAlone(ConsumerRecord<String, byte[]> record, TopicPartition partition, Prepared prepared)
      throws InterruptedException {
    isolation.writeLock().lock();
    try {
      if (!owned.contains(partition) || !named(partition, record.offset(), true)) {
        settle(record, false); // moved to another worker, or this one stops: it runs elsewhere
        return;
      }
      try {
        runOwnedTask(record, prepared.task(), prepared.inputs());
      } finally {
        named(partition, record.offset(), false);
      }
    } finally {
      isolation.writeLock().unlock();
    }
  }

  /** Fails, without running it, a task that took down the workers that ran it alone: its graph fails, the pool lives. */
  private void failKilledWorkers(ConsumerRecord<String, byte[]> record, ReadyTask task) {
    int died = deaths.deathsOf(new TopicPartition(record.topic(), record.partition()), record.offset());
    KilledWorkerException killed = new KilledWorkerException("task '" + task.taskKey() + "' of graph " + task.graphId()
        + " took down " + died + " worker" + (died == 1 ? "" : "s") + " that ran it alone, after its partition's"
        + " workers had died " + DeathWatch.DEATHS_BEFORE_RUNNING_ALONE + " times in a row; it is not run again ("
        + WorkerConfig.MAX_TASK_DEATHS + " is " + died + ")");
    LOG.error("worker {}: {}", name, killed.getMessage());
    TaskResult failure = TaskResult.failure(task.graphId(), task.taskKey(), task.attempt(), name, 0,
        TaskError.notRetriable(killed)).withTaskPartition(record.partition());
    write(record, task, failure, codec.encode(topics.results(), failure), false, null);
  }

  private void runOwnedTask(ConsumerRecord<String, byte[]> record, ReadyTask task, Inputs inputs) {
    TaskInvocation run = new TaskInvocation();
    int thread = TaskThreads.current();
    long startNanos = reporter == null ? 0 : System.nanoTime();
    if (reporter != null) {
      reporter.started(thread, task, startNanos);
    }
    try {
      run.invoke(context, functions, task.function(), values(task.args(), inputs).toArray());
    } catch (Throwable unreadInput) { // an input that could not be read fails the task as its function would
      run.failed(unreadInput);
    } finally {
      if (reporter != null) {
        reporter.ended(thread);
      }
    }
    tasksRun.incrementAndGet();
    TaskResult result = TaskResult.success(task.graphId(), task.taskKey(), task.attempt(), name, run.durationNanos(),
        run.result()).withTaskPartition(record.partition());
    // Outside the encoding, whose refusals fail the task: a registry away is not the result's fault, and stops the
    // worker, uncommitted, so that the task runs elsewhere.
    codec.schemaId(topics.results(), WireSchemas.Kind.TASK_RESULT);
    byte[] bytes = run.encodeResult(task.taskKey(), resultLimit,
        maxBytes -> codec.encode(topics.results(), result, maxBytes), encoded -> encoded.length);
    boolean failed = run.isFailed();
    if (failed) {
      tasksFailed.incrementAndGet();
    }
    try {
      meters.ran(task.function(), failed, run.durationNanos());
    } catch (RuntimeException e) { // a meter never fails the task it counts
      LOG.warn("worker {} could not count task '{}': {}", name, task.taskKey(), e.toString());
    }
    TaskReporter.Span span = reporter == null ? null : new TaskReporter.Span(thread,
        run.startNanos() != 0 ? run.startNanos() : startNanos, run.durationNanos(), bytesIn(task.args(),
        inputs.sizes()));
    if (failed) {
      TaskResult failure = TaskResult.failure(task.graphId(), task.taskKey(), task.attempt(), name,
          run.durationNanos(), TaskError.of(run.error())).withTaskPartition(record.partition());
      write(record, task, failure, codec.encode(topics.results(), failure), true, span);
    } else {
      write(record, task, result, bytes, true, span);
    }
  }

  /**
   * Writes a task's result to the results partition of its graph's number (the partition the scheduler that owns the
   * graph reads), and settles the task once Kafka has it. A send the producer cannot take now (its buffer full while
   * Kafka is away) is tried again; one Kafka refuses for good (too large for the topic, say) is replaced by a failure
   * that says so, so that the task fails rather than take down every worker it is handed to.
   *
   * @param span the task's run for this worker's reports, which it joins once Kafka has the result; null for none
   */
  private void write(ConsumerRecord<String, byte[]> record, ReadyTask task, TaskResult result, byte[] bytes,
      boolean firstTry, TaskReporter.Span span) {
    // A partition the topic does not have (a forged task) would make the producer wait for it: the key decides then.
    if (task.graphPartition() >= resultsPartitions) {
      resultsPartitions = producer.partitionsFor(topics.results()).size(); // the topic may have grown
    }
    Integer partition = task.graphPartition() >= 0 && task.graphPartition() < resultsPartitions
        ? task.graphPartition() : null;
    long size = bytes.length;
    while (true) {
      sends.sent();
      try {
        producer.send(new ProducerRecord<>(topics.results(), partition, task.graphId(), bytes), (metadata, error) -> {
          // This runs on the producer's network thread: whatever goes wrong here must not escape and kill it.
          try {
            if (error == null && span != null) {
              // Before the send counts as answered, so that a stopping worker's last report, made once every send is
              // answered, holds this task.
              reporter.finished(task, span, size, result.succeeded(), new ResultRef(metadata.partition(),
                  metadata.offset()));
            }
          } catch (Throwable t) {
            // Telemetry never stops the result's way: the span is lost, and said so.
            LOG.warn("worker {} could not report task '{}': {}", name, task.taskKey(), t.toString());
          }
          sends.answered();
          try {
            if (error == null) {
              if (result.succeeded()) {
                cache.put(new ResultRef(metadata.partition(), metadata.offset()), result.value(), size);
              }
              finished(record);
            } else if (error instanceof RetriableException) {
              // Kafka gave up on it (a delivery timeout shorter than an outage): sent again from the poll loop, not
              // from this thread, whose send could wait for buffer space only this thread frees.
              resends.add(() -> write(record, task, result, bytes, firstTry, span));
              loop.unpark();
            } else if (firstTry) {
              TaskResult failure = TaskResult.failure(task.graphId(), task.taskKey(), task.attempt(), name,
                  result.durationNanos(), TaskError.of(new IllegalStateException("the result of task '"
                      + task.taskKey() + "' could not be written to " + topics.results() + ": " + error)))
                  .withTaskPartition(record.partition());
              byte[] failureBytes = codec.encode(topics.results(), failure);
              resends.add(() -> write(record, task, failure, failureBytes, false, span));
              loop.unpark();
            } else {
              // Without its result the task must run again: stop, uncommitted, so the group hands it on.
              fail(new IllegalStateException("cannot write the result of task '" + task.taskKey() + "' of graph "
                  + task.graphId() + ": " + error.getMessage(), error));
            }
          } catch (Throwable t) {
            fail(t);
          }
        });
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        sends.answered();
        if (!running || loop.failure() != null) {
          throw e;
        }
        LOG.warn("worker {} waits for Kafka to take the result of task '{}': {}", name, task.taskKey(), e.getMessage());
        LockSupport.parkNanos(SEND_RETRY_NANOS);
      }
    }
  }

  /** Waits, at most {@code nanos}, for Kafka to answer the results sent so far, so that a commit covers them. */
  private void awaitSends(long nanos) {
    try {
      sends.awaitAnswers(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops the worker for an error a task thread found: the poll thread is woken from whatever it waits on (a poll, a
   * commit, a pause), so that its partitions go to other workers at once; nothing more is committed.
   */
  private void fail(Throwable cause) {
    loop.fail(cause);
    loop.unpark();
    consumer.wakeup();
  }

  /**
   * Sorts the inputs of {@code args} into those this worker holds (with their values) and those to read; notes the
   * size of those held in {@code sizes}, unless it is null.
   */
  private void collectInputs(List<TaskArg> args, Set<ResultRef> missing, Map<ResultRef, Object> held,
      Map<ResultRef, Long> sizes) {
    for (TaskArg arg : args) {
      if (arg instanceof TaskArg.Located) {
        ResultRef ref = ((TaskArg.Located) arg).ref();
        if (!held.containsKey(ref) && !missing.contains(ref)) {
          ResultCache.Entry cached = cache.entry(ref);
          if (cached == null) {
            missing.add(ref);
          } else {
            held.put(ref, cached.value());
            if (sizes != null) {
              sizes.put(ref, cached.size());
            }
          }
        }
      } else if (arg instanceof TaskArg.ArgList) {
        collectInputs(((TaskArg.ArgList) arg).items(), missing, held, sizes);
      }
    }
  }

  /** The encoded size of a task's inputs (its located arguments), or -1 if one of them is not known. */
  private static long bytesIn(List<TaskArg> args, Map<ResultRef, Long> sizes) {
    long total = 0;
    for (TaskArg arg : args) {
      long size = 0;
      if (arg instanceof TaskArg.Located located) {
        Long known = sizes.get(located.ref());
        size = known == null ? -1 : known;
      } else if (arg instanceof TaskArg.ArgList list) {
        size = bytesIn(list.items(), sizes);
      }
      if (size < 0) {
        return -1;
      }
      total += size;
    }
    return total;
  }

  /** The task's arguments, each location replaced by its value: from the batch's reads, or this worker's cache. */
  private List<Object> values(List<TaskArg> args, Inputs inputs) {
    List<Object> values = new ArrayList<>(args.size());
    for (TaskArg arg : args) {
      if (arg instanceof TaskArg.Literal) {
        values.add(((TaskArg.Literal) arg).value());
      } else if (arg instanceof TaskArg.Located) {
        values.add(value(((TaskArg.Located) arg).ref(), inputs));
      } else {
        values.add(values(((TaskArg.ArgList) arg).items(), inputs));
      }
    }
    return values;
  }

  private Object value(ResultRef ref, Inputs inputs) {
    TaskResult read = inputs.read().get(ref);
    if (read != null) {
      if (!read.succeeded()) {
        throw new IllegalStateException("input at " + ref + " is a failure of task '" + read.taskKey()
            + "', not a value");
      }
      return read.value();
    }
    if (inputs.held().containsKey(ref)) {
      return inputs.held().get(ref);
    }
    throw new IllegalStateException("input at " + ref + " could not be read"
        + (inputs.failure() == null ? "" : ": " + inputs.failure().getMessage()), inputs.failure());
  }

  // --- group membership

  private final class Rebalance implements ConsumerRebalanceListener {
    /**
     * Tasks of these partitions that have not started are dropped: the new owner runs them from the uncommitted
     * offset. Those running finish here (for up to the revoke wait), so that their results are committed and they do
     * not run twice.
     */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
      long deadline = System.nanoTime() + revokeWaitNanos;
      while (partitions.stream().anyMatch(p -> runningTasks.getOrDefault(p, new AtomicInteger()).get() > 0)
          && System.nanoTime() < deadline) {
        settleFinished();
        try {
          answerNamings(); // a task running alone, holding the worker to itself, may wait for one
        } catch (RuntimeException e) {
          LOG.debug("worker {} could not commit a record running alone while partitions move: {}", name, e.toString());
        }
        LockSupport.parkNanos(1_000_000);
      }
      awaitSends(Math.max(0, deadline - System.nanoTime())); // not flush(): while Kafka is away it would not return
      settleFinished();
      if (loop.failure() == null) {
        try {
          commit(true, true);
        } catch (RuntimeException e) {
          LOG.warn("could not commit revoked partitions {}: {}", partitions, e.toString());
        }
      } // else the worker dies of it: the last commit stands, and its successor counts the death
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
      forget(partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
      partitions.forEach(commits::forget);
      partitions.forEach(deaths::forget);
      for (java.util.Iterator<ConsumerRecord<String, byte[]>> it = alone.iterator(); it.hasNext(); ) {
        ConsumerRecord<String, byte[]> record = it.next();
        if (partitions.contains(new TopicPartition(record.topic(), record.partition()))) {
          it.remove();
          settle(record, false);
        }
      }
    }

    /**
     * Reads what the previous owners of these partitions left in their commits: whether they died, and of which
     * record. A death is recorded at once, before any record of the partition runs here.
     */
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      owned.addAll(partitions);
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
      try {
        committed = consumer.committed(new HashSet<>(partitions));
      } catch (RuntimeException e) {
        LOG.warn("worker {} cannot read how its new partitions were left ({}); deaths of their previous owners are"
            + " not counted", name, e.toString());
      }
      Map<TopicPartition, OffsetAndMetadata> marks = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata previous = committed.get(partition);
        String mark = deaths.takeOver(partition, previous);
        if (previous != null) {
          // Known from the start, so that its mark is committed, and handed over, even if nothing is read from it.
          commits.took(partition, previous);
        }
        if (mark != null) {
          marks.put(partition, new OffsetAndMetadata(previous.offset(), mark));
        }
      }
      if (!marks.isEmpty()) {
        LOG.warn("worker {} takes over partitions whose previous workers died: {} (from {} deaths in a row, their next"
            + " {} tasks run alone, one at a time)", name, marks, DeathWatch.DEATHS_BEFORE_RUNNING_ALONE,
            DeathWatch.ALONE_WINDOW);
        try {
          consumer.commitSync(marks);
          commits.committed(marks);
        } catch (RuntimeException e) {
          LOG.warn("worker {} could not record the deaths ({}); they may be counted once less", name, e.toString());
        }
      }
      LOG.info("worker {} took partitions {}", name, partitions.stream().map(TopicPartition::partition).toList());
      assigned.countDown();
    }
  }

  private void shutDown() {
    inputs.shutdown();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!inputs.awaitTermination(10, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
        settleFinished();
      }
      executor.shutdown();
      while (!executor.awaitTermination(10, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
        settleFinished();
      }
      awaitSends(Math.max(0, deadline - System.nanoTime()));
      settleFinished();
      if (loop.failure() == null) {
        commit(true, true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("worker {} could not commit while stopping: {}", name, e.toString());
    } finally {
      inputs.shutdownNow();
      executor.shutdownNow();
      // The group first: its partitions go to other workers at once, not after the last report. Each part is closed
      // whatever the one before did (an interrupted stop makes Kafka's clients throw).
      closeQuietly("its tasks consumer", () -> consumer.close(Duration.ofSeconds(5)));
      if (reporter != null) {
        closeQuietly("its reporter", reporter); // its last report: the tasks have ended and their results are written
      }
      closeQuietly("its producer", () -> producer.close(Duration.ofSeconds(5)));
      closeQuietly("its input reader", fetcher::close);
      closeQuietly("its events reader", endedGraphs::close);
      closeQuietly("its registry client", registry::close);
      HttpEndpoint endpoint = http;
      if (endpoint != null) {
        closeQuietly("its HTTP endpoint", endpoint);
      }
      closeQuietly("its meters", metrics);
      closeQuietly("its plugin jars", functions::close); // their class loaders: their tasks have ended
      LOG.info("worker {} stopped after {} tasks; inputs: {} from its cache, {} read from Kafka", name, tasksRun.get(),
          cache.hits(), cache.misses());
    }
  }

  private void closeQuietly(String what, AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      LOG.warn("worker {} could not close {}: {}", name, what, e.toString());
    }
  }

  /**
   * Stops taking tasks, lets running ones finish and their results be written, commits, and leaves the group (its
   * partitions move to other workers at once).
   */
  @Override
  public void close() {
    running = false;
    loop.close(Duration.ofSeconds(60));
  }
}
