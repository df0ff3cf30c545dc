package dev.weft.stream.internal;

import dev.weft.broker.protocol.ResultRef;
import dev.weft.broker.protocol.ResultsUnavailableException;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.graph.codec.GraphCodec;
import dev.weft.scheduler.RemoteTaskException;
import dev.weft.scheduler.TaskFailedException;
import dev.weft.stream.Guarantee;
import dev.weft.stream.StreamConfig;
import dev.weft.stream.StreamJob;
import dev.weft.stream.internal.Batch.Item;
import dev.weft.stream.internal.RecordCodecs.BadRecordException;
import dev.weft.template.RecordTemplate;
import dev.weft.template.RecordTemplate.Field;
import dev.weft.template.TemplateFunctions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stream job on this scheduler: reads the partitions of its inputs this instance was given (a consumer group
 * per job), cuts them into {@link Batch}es, submits each as a one-task graph through the broker client, and, in input
 * order per partition, writes each record's outputs and the input offsets in one transaction.
 *
 * <p>All state is this runner's thread's. A batch that fails as a whole (a record took its worker down, say) is run
 * again one record per graph, so that only the record at fault becomes a dead letter; a batch that fails for reasons
 * that are not its records' (Kafka or the registry away) is submitted again. When a transaction fails, or the group
 * takes partitions away, what was not committed is dropped and read again from the committed offsets: outputs are
 * written once, intermediate work may be done twice.
 */
final class JobRunner implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  /** The one task of a batch's graph; its result is the list of the records' answers. */
  static final String BATCH_TASK = "batch";
  /** Header of an output record: which output of the template it is. */
  static final String OUTPUT_HEADER = "weft.output";
  private static final long RETRY_BACKOFF_NANOS = Duration.ofMillis(500).toNanos();
  /** How long one turn waits for answers Kafka has: beyond it, the turn goes on and reads them at the next. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(2);

  private final StreamJob job;
  private final RecordTemplate template;
  private final ByteBuffer encodedTemplate;
  private final StreamConfig config;
  private final RecordCodecs codecs;
  private final JobClients clients;
  private final JobMetrics metrics;
  private final Map<TopicPartition, ArrayDeque<Batch>> queues = new HashMap<>();
  private final Map<String, Integer> outputPartitions = new HashMap<>();
  private final Set<TopicPartition> paused = new java.util.HashSet<>();
  private volatile Consumer<byte[], byte[]> consumer;
  private Producer<byte[], byte[]> producer;
  private BatchGraphs graphs;
  private TopicLimits limits;
  private volatile boolean stopping;

  /**
   * Makes what the job talks to: its Kafka clients, where its batches run, what its topics take. StreamService gives
   * the real ones; a unit test hands in mocks, so that the runner's contract is tested where a broker cannot be
   * steered (a batch failing at a given moment, a producer fenced between two commits).
   */
  interface JobClients {
    Consumer<byte[], byte[]> consumer();

    /** A producer, transactional (its transactions initialized) when the job is exactly once. */
    Producer<byte[], byte[]> producer();

    /** Runs the batches' graphs and reads their answers; closed with the runner. */
    BatchGraphs graphs();

    /** The largest record each topic takes: outputs over it are dead letters, not a commit refused for ever. */
    TopicLimits limits();
  }

  /** Where batches run: the broker client and the results topic, in production. */
  interface BatchGraphs extends AutoCloseable {
    /**
     * Submits a batch's one-task graph, without reading its answer.
     *
     * @throws IllegalArgumentException when the graph is too large to submit: its records are run one by one
     * @throws RuntimeException when it could not be submitted now (Kafka away): it is submitted again later
     */
    Submitted submit(Graph graph);

    /**
     * The answers at {@code where}, each the value of a batch's task: one answer per record.
     *
     * @throws ResultsUnavailableException when they could not be read in time, though they may be there: read later
     * @throws IllegalStateException when an answer is gone (retention) or unreadable: its batch runs again
     */
    Map<ResultRef, Object> read(Collection<ResultRef> where);

    @Override
    void close();
  }

  /** A submitted batch's graph. */
  interface Submitted {
    /**
     * Where the batch's answer is, once its graph completed; completes exceptionally with the graph's failure (a
     * {@link TaskFailedException} when its task failed) or a cancellation.
     */
    CompletableFuture<ResultRef> answer();

    /** Cancels the graph: its answer is not wanted (the batch was dropped, to be read again). */
    void cancel();
  }

  /** What {@link dev.weft.broker.protocol.RecordLimits} says of a topic, which asks Kafka. */
  interface TopicLimits {
    /** The largest value the runner writes to {@code topic}, in bytes. */
    int of(String topic);

    /** Where {@link #of}'s figure comes from, for a dead letter's message. */
    String describe(String topic);
  }

  JobRunner(StreamJob job, RecordTemplate template, StreamConfig config, RecordCodecs codecs, JobClients clients,
      JobMetrics metrics) {
    this.job = job;
    this.template = template;
    this.encodedTemplate = ByteBuffer.wrap(new GraphCodec().encode(template.graph()));
    this.config = config;
    this.codecs = codecs;
    this.clients = clients;
    this.metrics = metrics;
  }

  StreamJob job() {
    return job;
  }

  /** Asks the runner to stop after its current turn; its uncommitted batches are dropped, to be read again. */
  void stop() {
    stopping = true;
    Consumer<byte[], byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
  }

  @Override
  public void run() {
    try {
      open();
      while (!stopping) {
        turn();
      }
    } catch (WakeupException e) {
      // stop() woke the consumer up
    } catch (RuntimeException | Error e) {
      LOG.error("job '{}' stopped on this instance; it starts again: {}", job.name(), e.toString(), e);
      metrics.failed(e);
      throw e;
    } finally {
      if (stopping) {
        metrics.retire();
      }
      close();
    }
  }

  /**
   * Makes the clients and joins the job's group. Package-private, as {@link #turn()} and {@link #close()}: a test
   * drives the runner turn by turn on its own thread.
   */
  void open() {
    consumer = clients.consumer();
    producer = clients.producer();
    graphs = clients.graphs();
    limits = clients.limits();
    consumer.subscribe(job.inputs().stream().map(StreamJob.Input::topic).toList(), new Rebalances());
  }

  /** Drops what is not committed (cancelling what is out) and closes the clients. */
  void close() {
    dropAll();
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (consumer != null) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
    if (graphs != null) {
      graphs.close();
    }
  }

  /** One poll, then what is due is submitted and what finished is committed. */
  void turn() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(pollMillis()));
    metrics.assigned(consumer.assignment());
    long now = System.nanoTime();
    try {
      for (TopicPartition partition : records.partitions()) {
        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
          add(partition, record, now);
        }
      }
    } catch (RecordCodecs.RegistryAwayException e) {
      // Nothing is wrong with the records: they are read again once the registry answers.
      LOG.warn("job '{}': {}; reading again in {} ms", job.name(), e.getMessage(), RETRY_BACKOFF_NANOS / 1_000_000);
      metrics.failed(e);
      rewind(consumer.assignment());
      sleep(RETRY_BACKOFF_NANOS);
      return;
    }
    submitAndPace(now);
    List<Batch> finished = collectFinished();
    if (!finished.isEmpty()) {
      commit(finished);
    }
    metrics.maybePublish(consumer, pending());
  }

  /** Records read and not committed. */
  private long pending() {
    long records = 0;
    for (ArrayDeque<Batch> queue : queues.values()) {
      for (Batch batch : queue) {
        records += batch.items.size();
      }
    }
    return records;
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Short while batches are out, so that a finished one is committed soon; longer when only records are awaited. */
  private long pollMillis() {
    for (ArrayDeque<Batch> queue : queues.values()) {
      if (!queue.isEmpty()) {
        return 2;
      }
    }
    return 100;
  }

  private void add(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, long now) {
    ArrayDeque<Batch> queue = queues.computeIfAbsent(partition, p -> new ArrayDeque<>());
    Batch open = queue.peekLast();
    if (open == null || open.sealed || open.single || open.items.size() >= job.maxBatchRecords()
        || open.bytes >= maxBatchBytes()) {
      open = new Batch(partition, false, now);
      queue.addLast(open);
    }
    open.items.add(item(partition, record));
    open.bytes += 64 + (record.value() == null ? 0 : record.value().length)
        + (record.key() == null ? 0 : record.key().length);
    metrics.recordsIn(1);
  }

  /** A batch's records travel in its graph: a quarter of the record limit leaves room for the template and more. */
  private long maxBatchBytes() {
    return config.getInt(StreamConfig.MAX_RECORD_BYTES) / 4;
  }

  private Item item(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    StreamJob.Input input = inputOf(partition.topic());
    Map<String, Object> fields = new HashMap<>(8);
    try {
      for (Field field : template.fields()) {
        fields.put(field.fieldName(), switch (field) {
          case KEY -> codecs.decode(input.keyFormat(), record.topic(), record.key(), "key");
          case VALUE -> codecs.decode(input.valueFormat(), record.topic(), record.value(), "value");
          case HEADERS -> headers(record.headers());
          case TIMESTAMP -> record.timestamp();
          case TOPIC -> record.topic();
          case PARTITION -> record.partition();
          case OFFSET -> record.offset();
        });
      }
    } catch (BadRecordException e) {
      return new Item(record.offset(), record.timestamp(), record.key(), record.value(), record.headers(), null,
          e.getMessage());
    }
    return new Item(record.offset(), record.timestamp(), record.key(), record.value(), record.headers(), fields,
        null);
  }

  private StreamJob.Input inputOf(String topic) {
    for (StreamJob.Input input : job.inputs()) {
      if (input.topic().equals(topic)) {
        return input;
      }
    }
    throw new IllegalStateException("record of topic '" + topic + "', which job '" + job.name() + "' does not read");
  }

  private static Map<String, Object> headers(Headers headers) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Header header : headers) {
      values.put(header.key(), header.value() == null ? null : ByteBuffer.wrap(header.value()));
    }
    return values;
  }

  /**
   * Submits the batches that are due, at most {@code maxBatchesInFlight} per partition, and pauses the partitions
   * that have more waiting: records then stay in Kafka, as lag.
   */
  private void submitAndPace(long now) {
    for (Map.Entry<TopicPartition, ArrayDeque<Batch>> entry : queues.entrySet()) {
      int inFlight = 0;
      int waiting = 0;
      for (Batch batch : entry.getValue()) {
        if (batch.nothingToRun) {
          continue;
        }
        if (batch.future != null || batch.refusal != null) {
          inFlight++;
          continue;
        }
        boolean due = batch.single || batch.items.size() >= job.maxBatchRecords() || batch.bytes >= maxBatchBytes()
            || now - batch.openedNanos >= job.maxBatchWaitMs() * 1_000_000L || batch != entry.getValue().peekLast();
        if (due && inFlight < job.maxBatchesInFlight() && now >= batch.notBeforeNanos) {
          submit(batch);
          inFlight++;
        } else if (due) {
          waiting++;
        }
      }
      TopicPartition partition = entry.getKey();
      if (waiting > 0 && paused.add(partition)) {
        consumer.pause(List.of(partition));
      } else if (waiting == 0 && paused.remove(partition)) {
        consumer.resume(List.of(partition));
      }
    }
  }

  private void submit(Batch batch) {
    batch.sealed = true; // what it holds is what runs, whatever comes of this submission
    List<Object> records = batch.runnable();
    if (records.isEmpty()) {
      batch.nothingToRun = true;
      return;
    }
    Task task = new Task(BATCH_TASK, TemplateFunctions.MAP_TEMPLATE,
        List.of(new Arg.Literal(encodedTemplate), new Arg.Literal(records)), 0, 0, job.pool(), Map.of());
    Graph graph = Graph.of(job.name() + "-" + batch.partition.partition() + "-" + batch.items.get(0).offset,
        List.of(task), List.of(BATCH_TASK));
    try {
      // Only the answer's location comes back: this runner reads those of all finished batches in one fetch.
      batch.future = graphs.submit(graph);
    } catch (IllegalArgumentException tooLarge) {
      // Over the graphs topic's limit: run one by one, and a record that alone does not fit is a dead letter.
      batch.refusal = tooLarge;
    } catch (RuntimeException e) {
      LOG.warn("job '{}': a batch of {} could not be submitted, trying again: {}", job.name(), batch.partition,
          e.toString());
      batch.retries++;
      batch.notBeforeNanos = System.nanoTime() + RETRY_BACKOFF_NANOS;
    }
  }

  /**
   * Takes the finished batches at the head of each partition's queue, in order, with their answers read from the
   * results topic in one fetch. A batch that failed as a whole is replaced by one batch per record, or submitted again
   * when its records are not at fault.
   */
  private List<Batch> collectFinished() {
    List<Batch> finished = new ArrayList<>();
    for (ArrayDeque<Batch> queue : queues.values()) {
      boolean finishedBefore = false;
      for (Batch head : queue) {
        if (!head.isDone()) {
          break;
        }
        Throwable failure = head.failure();
        if (failure == null || head.single && isRecordsFault(failure)) {
          finished.add(head);
          finishedBefore = true;
        } else if (finishedBefore) {
          break; // handled once the batches before it are committed: its re-runs must not overtake them
        } else if (isRecordsFault(failure)) {
          runOneByOne(queue, head, failure);
          break;
        } else {
          submitAgain(head, failure);
          break;
        }
      }
    }
    if (!readAnswers(finished)) {
      return List.of();
    }
    for (Batch batch : finished) {
      queues.get(batch.partition).remove(batch);
    }
    return finished;
  }

  /**
   * Reads the answers of the batches that ran, in one fetch.
   *
   * @return false when Kafka did not give them in time: the batches stay, to be read at a later turn
   */
  private boolean readAnswers(List<Batch> finished) {
    Map<ResultRef, Batch> wanted = new HashMap<>();
    for (Batch batch : finished) {
      if (batch.answers == null && !batch.nothingToRun && batch.failure() == null) {
        wanted.put(batch.future.answer().join(), batch);
      }
    }
    if (wanted.isEmpty()) {
      return true;
    }
    Map<ResultRef, Object> read;
    try {
      read = graphs.read(wanted.keySet());
    } catch (ResultsUnavailableException e) {
      LOG.debug("job '{}': answers not read yet: {}", job.name(), e.toString());
      return false;
    } catch (IllegalStateException e) {
      // An answer that is gone (retention) or unreadable: the batches run again.
      LOG.warn("job '{}': answers cannot be read, running their batches again: {}", job.name(), e.toString());
      wanted.values().forEach(batch -> submitAgain(batch, e));
      return false;
    }
    read.forEach((location, answer) -> wanted.get(location).answers = (List<?>) answer);
    return true;
  }

  private void runOneByOne(ArrayDeque<Batch> queue, Batch failed, Throwable failure) {
    queue.remove(failed);
    List<Batch> singles = new ArrayList<>();
    for (Item item : failed.items) {
      Batch single = new Batch(failed.partition, true, failed.openedNanos);
      single.items.add(item);
      singles.add(single);
    }
    for (int i = singles.size() - 1; i >= 0; i--) {
      queue.addFirst(singles.get(i));
    }
    LOG.info("job '{}': a batch of {} records of {} failed ({}); running them one by one", job.name(),
        failed.items.size(), failed.partition, failure.toString());
  }

  private void submitAgain(Batch batch, Throwable failure) {
    LOG.warn("job '{}': a batch of {} failed, submitting it again: {}", job.name(), batch.partition,
        failure.toString());
    metrics.failed(failure);
    batch.future = null;
    batch.refusal = null;
    batch.answers = null;
    batch.retries++;
    batch.notBeforeNanos = System.nanoTime() + RETRY_BACKOFF_NANOS;
  }

  /**
   * Whether a batch failed because of what its records are, so that running them one by one finds the one at fault: a
   * record that takes its worker down (Dask's KilledWorker), answers too large to send, a graph too large to submit. A
   * record whose template fails is not among these: its failure is its answer. Anything else (a function the workers
   * do not have, a pool the scheduler refuses, Kafka away) is not the records' fault: the batch is submitted again,
   * and the job's status says why.
   */
  private static boolean isRecordsFault(Throwable failure) {
    if (failure instanceof IllegalArgumentException) {
      return true; // refused by the client as too large
    }
    if (failure instanceof TaskFailedException && failure.getCause() instanceof RemoteTaskException) {
      RemoteTaskException cause = (RemoteTaskException) failure.getCause();
      return cause.remoteType().endsWith(".KilledWorkerException")
          || String.valueOf(cause.getMessage()).contains("cannot be sent");
    }
    return false;
  }

  /** Writes the batches' outputs and dead letters, and the offsets after them, as one transaction. */
  private void commit(List<Batch> finished) {
    boolean transactional = job.guarantee() == Guarantee.EXACTLY_ONCE;
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    int outputs = 0;
    int deadLetters = 0;
    try {
      if (transactional) {
        producer.beginTransaction();
      }
      for (Batch batch : finished) {
        List<?> answers = answersOf(batch);
        int answer = 0;
        for (Item item : batch.items) {
          if (item.decodeError != null) {
            sends.add(producer.send(deadLetter(batch, item, "decode", null, item.decodeError)));
            deadLetters++;
            continue;
          }
          Object result = answers == null ? failureAnswer(batch.failure()) : answers.get(answer++);
          int written = writeOutputs(batch, item, result, sends);
          if (written < 0) {
            deadLetters++;
          } else {
            outputs += written;
          }
        }
        offsets.put(batch.partition, new OffsetAndMetadata(batch.lastOffset() + 1));
      }
      if (transactional) {
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
      } else {
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
          send.get();
        }
        consumer.commitSync(offsets);
      }
    } catch (RecordCodecs.RegistryAwayException | KafkaException | ExecutionException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("job '{}': the commit of {} batches failed, reading them again: {}", job.name(), finished.size(),
          e.toString());
      metrics.failed(e);
      recover(transactional);
      return;
    }
    long now = System.currentTimeMillis();
    for (Batch batch : finished) {
      for (Item item : batch.items) {
        metrics.latency(now - item.timestamp);
      }
    }
    metrics.committed(outputs, deadLetters);
  }

  /** The answers of a batch that ran, one per decodable record; null when it failed as a whole. */
  private static List<?> answersOf(Batch batch) {
    return batch.nothingToRun ? List.of() : batch.answers;
  }

  /** What a single record's failed graph says, as the answer of a failed record. */
  private static Map<String, Object> failureAnswer(Throwable failure) {
    Map<String, Object> answer = new HashMap<>();
    answer.put("task", failure instanceof TaskFailedException ? ((TaskFailedException) failure).key() : BATCH_TASK);
    answer.put("type", failure.getClass().getName());
    answer.put("message", String.valueOf(failure.getMessage()));
    return answer;
  }

  /**
   * Sends a record's outputs, or its dead letter when it failed or an output cannot be encoded.
   *
   * @return how many outputs were sent; -1 for a dead letter
   */
  private int writeOutputs(Batch batch, Item item, Object answer, List<Future<RecordMetadata>> sends) {
    if (answer instanceof Map) {
      Map<?, ?> failure = (Map<?, ?>) answer;
      sends.add(producer.send(deadLetter(batch, item, String.valueOf(failure.get("task")),
          String.valueOf(failure.get("type")), String.valueOf(failure.get("message")))));
      return -1;
    }
    List<?> values = (List<?>) answer;
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(job.outputs().size());
    List<String> keys = template.outputs();
    for (Map.Entry<String, StreamJob.Output> output : job.outputs().entrySet()) {
      Object value = values.get(keys.indexOf(output.getKey()));
      String topic = output.getValue().topic();
      byte[] encoded;
      try {
        encoded = codecs.encode(output.getValue().format(), topic, value);
        int room = limits.of(topic) - (item.key == null ? 0 : item.key.length);
        if (encoded != null && encoded.length > room) {
          // Sent, it would be refused, and so would every commit after it: the job would stand still.
          throw new BadRecordException("the output is " + encoded.length + " bytes, over the " + room + " that '"
              + topic + "' takes (" + limits.describe(topic) + ")", null);
        }
      } catch (BadRecordException e) {
        sends.add(producer.send(deadLetter(batch, item, output.getKey(), "output", e.getMessage())));
        return -1;
      }
      Headers headers = new RecordHeaders();
      headers.add(OUTPUT_HEADER, output.getKey().getBytes(StandardCharsets.UTF_8));
      records.add(new ProducerRecord<>(topic, batch.partition.partition() % partitions(topic), timestampOf(item),
          item.key, encoded, headers));
    }
    for (ProducerRecord<byte[], byte[]> record : records) {
      sends.add(producer.send(record));
    }
    return records.size();
  }

  private int partitions(String topic) {
    return outputPartitions.computeIfAbsent(topic, t -> producer.partitionsFor(t).size());
  }

  private ProducerRecord<byte[], byte[]> deadLetter(Batch batch, Item item, String task, String type, String error) {
    Headers headers = new RecordHeaders();
    for (Header header : item.headers) {
      headers.add(header);
    }
    put(headers, "weft.job", job.name());
    put(headers, "weft.input.topic", batch.partition.topic());
    put(headers, "weft.input.partition", Integer.toString(batch.partition.partition()));
    put(headers, "weft.input.offset", Long.toString(item.offset));
    put(headers, "weft.task", task);
    if (type != null) {
      put(headers, "weft.error.type", type);
    }
    put(headers, "weft.error", error == null ? "" : error);
    byte[] value = item.value;
    if (value != null && value.length + (item.key == null ? 0 : item.key.length) > limits.of(job.deadLetters())) {
      put(headers, "weft.value.dropped", value.length + " bytes, over what the dead-letter topic takes");
      value = null;
    }
    return new ProducerRecord<>(job.deadLetters(), null, timestampOf(item), item.key, value, headers);
  }

  /** The input's timestamp; none (Kafka's then) for a record without one (-1), which a producer refuses. */
  private static Long timestampOf(Item item) {
    return item.timestamp < 0 ? null : item.timestamp;
  }

  private static void put(Headers headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** After a failed commit: the transaction is aborted and what was not committed is read again. */
  private void recover(boolean transactional) {
    if (transactional) {
      try {
        producer.abortTransaction();
      } catch (KafkaException | IllegalStateException e) {
        // IllegalStateException: a commit that timed out must be retried, not aborted; a new producer settles it.
        // A fenced or broken producer cannot abort: a new one with the same transactional id aborts what it left.
        LOG.warn("job '{}': the producer cannot abort ({}); starting a new one", job.name(), e.toString());
        producer.close(Duration.ZERO);
        producer = clients.producer();
      }
    }
    rewind(consumer.assignment());
  }

  /** Drops what was read of {@code partitions} and seeks them back to their committed offsets. */
  private void rewind(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      drop(partition);
    }
    if (partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata offset = committed.get(partition);
      if (offset == null) {
        consumer.seekToBeginning(List.of(partition));
      } else {
        consumer.seek(partition, offset);
      }
    }
  }

  /** Forgets a partition's batches; those out are cancelled, their results unread. */
  private void drop(TopicPartition partition) {
    ArrayDeque<Batch> queue = queues.remove(partition);
    if (queue != null) {
      for (Batch batch : queue) {
        if (batch.future != null && !batch.future.answer().isDone()) {
          batch.future.cancel();
        }
      }
    }
    if (paused.remove(partition)) {
      consumer.resume(List.of(partition));
    }
  }

  private void dropAll() {
    for (TopicPartition partition : List.copyOf(queues.keySet())) {
      ArrayDeque<Batch> queue = queues.remove(partition);
      for (Batch batch : queue) {
        if (batch.future != null && !batch.future.answer().isDone()) {
          batch.future.cancel();
        }
      }
    }
  }

  /** Partitions that leave this instance take their uncommitted batches with them: the next owner reads them again. */
  private final class Rebalances implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        ArrayDeque<Batch> queue = queues.remove(partition);
        if (queue != null) {
          queue.forEach(batch -> {
            if (batch.future != null && !batch.future.answer().isDone()) {
              batch.future.cancel();
            }
          });
        }
        paused.remove(partition);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Reading starts at the committed offsets, which the group's coordinator gives.
    }
  }
}
