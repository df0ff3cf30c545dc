package dev.weft.stream.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * Consecutive records of one input partition, run as one task: the unit of work on the wire. Owned by the job's
 * runner thread; only {@link #future}'s answer completes elsewhere.
 */
final class Batch {
  /** One input record: its fields for the template, or why it could not be read. */
  static final class Item {
    final long offset;
    final long timestamp;
    final byte[] key;
    final byte[] value;
    final Headers headers;
    /** The fields the template refers to, by name; null when the record could not be decoded. */
    final Map<String, Object> fields;
    /** Why the record could not be decoded, or null. */
    final String decodeError;

    Item(long offset, long timestamp, byte[] key, byte[] value, Headers headers, Map<String, Object> fields,
        String decodeError) {
      this.offset = offset;
      this.timestamp = timestamp;
      this.key = key;
      this.value = value;
      this.headers = headers;
      this.fields = fields;
      this.decodeError = decodeError;
    }
  }

  final TopicPartition partition;
  final List<Item> items = new ArrayList<>();
  /** Whether it runs one record on its own: the answer to a batch that failed as a whole. */
  final boolean single;
  final long openedNanos;
  long bytes;
  /** Its graph once submitted; null before, or after a failure not its records' (it is submitted again). */
  JobRunner.Submitted future;
  /** Why the client refused to submit it (too large), or null. */
  Throwable refusal;
  /** Whether it was submitted once: it takes no more records. */
  boolean sealed;
  /** One answer per decodable record, once read from the results topic; null before. */
  List<?> answers;
  /** Whether none of its records could be decoded: it is finished without running, its records dead letters. */
  boolean nothingToRun;
  /** Times it was submitted and failed for reasons that were not its records' (Kafka away, say). */
  int retries;
  long notBeforeNanos;

  Batch(TopicPartition partition, boolean single, long openedNanos) {
    this.partition = partition;
    this.single = single;
    this.openedNanos = openedNanos;
  }

  /** Whether it ran (or was refused, or had nothing to run). */
  boolean isDone() {
    return nothingToRun || refusal != null || future != null && future.answer().isDone();
  }

  /** Why it failed as a whole, or null. */
  Throwable failure() {
    if (nothingToRun) {
      return null;
    }
    if (refusal != null) {
      return refusal;
    }
    try {
      future.answer().join();
      return null;
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
  }

  long lastOffset() {
    return items.get(items.size() - 1).offset;
  }

  /** The records the template runs on: those that could be decoded. */
  List<Object> runnable() {
    List<Object> records = new ArrayList<>(items.size());
    for (Item item : items) {
      if (item.fields != null) {
        records.add(item.fields);
      }
    }
    return records;
  }
}
