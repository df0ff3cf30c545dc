package dev.weft.worker.internal;

import dev.weft.broker.protocol.ReadyTask;
import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.WireCodec;
import dev.weft.broker.protocol.WorkerReport;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a worker's {@link WorkerReport} to the workers topic every report interval, keyed by the worker's name: its
 * state, the tasks running as it reports, and the tasks finished since its last report (a uniform sample of at most
 * {@code maxTasks} of them, the rest counted in {@code finishedNotListed}), and a last one, {@code leaving}, when the
 * worker stops gracefully. Telemetry only: a report that cannot be sent is dropped, and nothing waits for one.
 *
 * <p>The hot path stays cheap. A task thread writes its own running slot (one per thread number, an ordered store, no
 * lock) when its function starts and clears it when the function returns; a finished span is appended to a lock-free
 * queue when Kafka acknowledges the task's result, on the producer's thread, which is what knows where the result
 * went. Draining, sampling, encoding and sending are this class's own daemon thread's, once an interval: not the poll
 * loop's, which parks while its partitions are paused, commits synchronously and waits out rebalances (a report would
 * be late just when a dashboard wants it), and whose turns should not pay for encoding a report of 2,000 spans.
 *
 * <p>Reports go through a small producer of their own ({@link #producerSettings}), not the worker's: its buffer is
 * not the results' (a worker cut off from Kafka must not fill the results' buffer with reports, nor a report wait
 * behind results), it gives a report up after seconds where results are retried forever, and one broker's
 * acknowledgement is enough for telemetry. It costs one more connection and one mostly idle network thread.
 */
public final class TaskReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskReporter.class);
  /** Spans waiting for a report at most, and at least: past it they are only counted (the reporter cannot keep up). */
  private static final int MIN_QUEUED = 10_000;
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** What the worker tells of itself, read when a report is made; any thread. */
  public interface State {
    long tasksRun();

    long tasksFailed();

    long cacheBytes();

    long cacheHits();

    long cacheMisses();

    /** The tasks topic's partitions the worker holds. */
    List<Integer> partitions();
  }

  /** A task's run as its thread saw it, waiting for Kafka to say where its result went. */
  public record Span(int thread, long startNanos, long durationNanos, long bytesIn) {}

  /** Wall-clock microseconds from {@link System#nanoTime()}: set again with each report, so it never drifts far. */
  private record Clock(long epochMicros, long nanos) {
    static Clock now() {
      long nanos = System.nanoTime();
      Instant now = Instant.now();
      return new Clock(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000, nanos);
    }

    long micros(long nanoTime) {
      return epochMicros + (nanoTime - nanos) / 1_000;
    }
  }

  private final String worker;
  private final String pool;
  private final long pid = ProcessHandle.current().pid();
  private final long startedAt = System.currentTimeMillis();
  private final String topic;
  private final WireCodec codec;
  private final Producer<String, byte[]> producer;
  private final State state;
  private final int maxTasks;
  private final int maxQueued;
  private final long intervalMillis;
  private final AtomicReferenceArray<WorkerReport.RunningTask> running;
  private final ConcurrentLinkedQueue<WorkerReport.TaskSpan> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Spans not queued because the queue was full: counted in the next report's {@code finishedNotListed}. */
  private final AtomicLong overflow = new AtomicLong();
  private final AtomicLong lastWarnNanos = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
  private volatile Clock clock = Clock.now();
  private final ScheduledExecutorService thread;
  /** The reporter thread's own (and close()'s, after that thread ended). */
  private final SplittableRandom random = new SplittableRandom();
  private String host;

  /**
   * @param producer this reporter's own, made with {@link #producerSettings}; closed with it
   * @param threads the worker's task threads, numbered 1..threads
   * @param maxTasks the most finished tasks one report lists
   */
  public TaskReporter(String worker, String pool, int threads, String topic, WireCodec codec,
      Producer<String, byte[]> producer, State state, Duration interval, int maxTasks) {
    this.worker = worker;
    this.pool = pool;
    this.topic = topic;
    this.codec = codec;
    this.producer = producer;
    this.state = state;
    this.maxTasks = maxTasks;
    this.maxQueued = Math.max(MIN_QUEUED, 20 * maxTasks);
    this.intervalMillis = interval.toMillis();
    this.running = new AtomicReferenceArray<>(threads);
    this.thread = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread reporter = new Thread(task, "weft-" + worker + "-reports");
      reporter.setDaemon(true);
      return reporter;
    });
  }

  /**
   * The settings of a reporter's producer, over the worker's client settings (security, bootstrap): a report is given
   * up after 15 s and never blocks its thread for more than a second; its buffer is its own and small; lz4, since
   * reports repeat the same ids and names.
   */
  public static Map<String, Object> producerSettings(Map<String, Object> clientProperties) {
    Map<String, Object> settings = new HashMap<>(clientProperties);
    settings.put(ProducerConfig.ACKS_CONFIG, "1");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    settings.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20);
    settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return settings;
  }

  /** Whether {@link #start()} ran: a worker that stopped before it started says nothing, not that it leaves. */
  private volatile boolean started;

  /** Starts reporting, every interval. */
  public void start() {
    started = true;
    thread.scheduleWithFixedDelay(this::report, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  // --- the hot path: task threads and the producer's thread

  /** A task's function starts on task thread {@code thread} (from 1): its slot shows it until {@link #ended}. */
  public void started(int thread, ReadyTask task, long startNanos) {
    if (thread > 0 && thread <= running.length()) {
      // An ordered store: the reporter sees it within a report or so, and the task pays no fence for it.
      running.lazySet(thread - 1, new WorkerReport.RunningTask(task.graphId(), task.taskKey(), task.function(), thread,
          clock.micros(startNanos)));
    }
  }

  /** The function of the task on thread {@code thread} returned. */
  public void ended(int thread) {
    if (thread > 0 && thread <= running.length()) {
      running.lazySet(thread - 1, null);
    }
  }

  /**
   * A task's result is written: its span joins the next report. Never throws (it runs in the producer's callback).
   *
   * @param bytesOut the result record's size
   * @param location where Kafka wrote the result
   */
  public void finished(ReadyTask task, Span span, long bytesOut, boolean succeeded, ResultRef location) {
    try {
      if (queued.incrementAndGet() > maxQueued) {
        queued.decrementAndGet();
        overflow.incrementAndGet();
        return;
      }
      finished.add(new WorkerReport.TaskSpan(task.graphId(), task.taskKey(), task.function(), span.thread(),
          clock.micros(span.startNanos()), span.durationNanos() / 1_000, span.bytesIn(), bytesOut, succeeded,
          location));
    } catch (RuntimeException e) {
      LOG.warn("worker {}: a task's span is lost to its report: {}", worker, e.toString());
    }
  }

  // --- the reporter's thread

  private void report() {
    try {
      send(build(false));
    } catch (RuntimeException e) {
      // Caught, so that the schedule goes on: a report lost is a gap in a chart, never a reason to stop reporting.
      warnOrDebug("worker " + worker + " could not make its report", e);
    }
  }

  /** The report of now: the slots as they are, and the spans queued since the last one, sampled if too many. */
  WorkerReport build(boolean leaving) {
    Clock now = Clock.now();
    clock = now;
    List<WorkerReport.RunningTask> runningNow = new ArrayList<>();
    for (int i = 0; i < running.length(); i++) {
      WorkerReport.RunningTask task = running.get(i);
      if (task != null) {
        runningNow.add(task);
      }
    }
    List<WorkerReport.TaskSpan> listed = new ArrayList<>(Math.min(maxTasks, Math.max(0, queued.get())));
    long seen = 0;
    for (WorkerReport.TaskSpan span; (span = finished.poll()) != null; ) {
      seen++;
      if (listed.size() < maxTasks) {
        listed.add(span);
      } else {
        long slot = random.nextLong(seen); // reservoir sampling: each span is listed with the same chance
        if (slot < maxTasks) {
          listed.set((int) slot, span);
        }
      }
    }
    queued.addAndGet((int) -seen);
    listed.sort(Comparator.comparingLong(WorkerReport.TaskSpan::startMicros));
    long notListed = seen - listed.size() + overflow.getAndSet(0);
    Runtime jvm = Runtime.getRuntime();
    return new WorkerReport(worker, pool, host(), pid, now.epochMicros() / 1_000, startedAt, running.length(),
        state.tasksRun(), state.tasksFailed(), state.cacheBytes(), state.cacheHits(), state.cacheMisses(),
        jvm.totalMemory() - jvm.freeMemory(), jvm.maxMemory(), state.partitions(), runningNow, listed, notListed,
        leaving);
  }

  private void send(WorkerReport report) {
    byte[] encoded = codec.encode(topic, report);
    producer.send(new ProducerRecord<>(topic, worker, encoded), (metadata, error) -> {
      if (error != null) {
        warnOrDebug("worker " + worker + " dropped a report of " + report.finished().size() + " tasks", error);
      }
    });
  }

  /**
   * Logs a report lost: at DEBUG while Kafka is away (retriable: it is said elsewhere, and would be said every
   * interval), at most once a minute at WARN otherwise (a report too large, a topic this worker may not write).
   */
  private void warnOrDebug(String what, Throwable error) {
    long now = System.nanoTime();
    long last = lastWarnNanos.get();
    if (!(error instanceof RetriableException) && now - last >= WARN_EVERY_NANOS
        && lastWarnNanos.compareAndSet(last, now)) {
      LOG.warn("{}: {}", what, error.toString());
    } else {
      LOG.debug("{}: {}", what, error.toString());
    }
  }

  /** This machine's name, found once, on the reporter's thread (a name lookup may be slow). */
  private String host() {
    if (host == null) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        String fromEnvironment = System.getenv("HOSTNAME");
        host = fromEnvironment != null ? fromEnvironment : "unknown";
        LOG.debug("worker {} reports the host name {}: {}", worker, host, e.toString());
      }
    }
    return host;
  }

  /**
   * Stops reporting and publishes the last report, {@code leaving}: after the worker's tasks ended, so that it holds
   * their spans. Waits at most a few seconds for Kafka to take it.
   */
  @Override
  public void close() {
    if (!started) {
      thread.shutdownNow();
      producer.close(Duration.ZERO);
      return;
    }
    thread.shutdown();
    try {
      // A report blocks its thread a second at most (max.block.ms): one still running after five is stuck, and the
      // last report, which would drain the same queue, is not made beside it.
      if (thread.awaitTermination(5, TimeUnit.SECONDS)) {
        send(build(true));
      } else {
        LOG.warn("worker {} leaves without its last report: the one before it is still being made", worker);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      warnOrDebug("worker " + worker + " could not send its last report", e);
    } finally {
      thread.shutdownNow();
      producer.close(Duration.ofSeconds(5));
    }
  }
}
