package dev.weft.broker.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a record that cannot be decoded aside, as it came, on the dead-letter topic, with why ({@code weft.reason}) and
 * where it was ({@code weft.source}, topic-partition@offset) in its headers: nothing is dropped, and nothing blocks the
 * records behind it.
 *
 * <p>A record too large for the dead-letter topic goes there truncated, so that the reason and the location are never
 * lost: its value cut to {@link #TRUNCATED_VALUE_BYTES}, and a {@code weft.truncated} header saying how large it was.
 * Thread-safe, as its producer is.
 */
public final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  public static final String REASON_HEADER = "weft.reason";
  public static final String SOURCE_HEADER = "weft.source";
  public static final String TRUNCATED_HEADER = "weft.truncated";

  /** What a truncated dead letter keeps of the value: enough to see what the record was. */
  public static final int TRUNCATED_VALUE_BYTES = 64 * 1024;
  /** Room for a record's framing and Weft's headers, beyond its key and value. */
  private static final int OVERHEAD_BYTES = 16 * 1024;
  /** A reason is a sentence, not a payload: exceptions that quote their input are cut. */
  private static final int MAX_REASON_CHARS = 4096;

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final int maxRecordBytes;

  /**
   * @param maxRecordBytes the largest record the dead-letter topic and the producer take ({@code weft.max.record.bytes}
   *     for the topic Weft creates)
   */
  public DeadLetters(Producer<String, byte[]> producer, Topics topics, int maxRecordBytes) {
    this.producer = producer;
    this.topic = topics.deadLetters();
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Sends {@code record} to the dead letters; {@code written} runs once, when the attempt is over: in the producer's
   * callback once Kafka has answered, or at once if the producer refused the send. A record Kafka would not take is
   * logged with its location and the reason it was put aside.
   */
  public void send(ConsumerRecord<String, byte[]> record, Throwable reason, Runnable written) {
    String source = record.topic() + "-" + record.partition() + "@" + record.offset();
    String why = reason.getMessage() != null ? reason.getMessage() : reason.toString();
    if (why.length() > MAX_REASON_CHARS) {
      why = why.substring(0, MAX_REASON_CHARS) + "... (" + why.length() + " characters)";
    }
    LOG.warn("{} cannot be decoded ({}); sent to {}", source, why, topic);
    byte[] value = record.value();
    int keyBytes = record.key() == null ? 0 : record.key().length() * 3;
    boolean fits = value == null || (long) value.length + keyBytes + headerBytes(record) + OVERHEAD_BYTES
        <= maxRecordBytes;
    write(record, source, why, !fits, written);
  }

  private void write(ConsumerRecord<String, byte[]> record, String source, String why, boolean truncate,
      Runnable written) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      headers.add(header);
    }
    headers.add(REASON_HEADER, why.getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
    byte[] value = record.value();
    String key = record.key();
    if (truncate) {
      headers.add(TRUNCATED_HEADER, ("the value had " + value.length + " bytes; the first "
          + Math.min(value.length, TRUNCATED_VALUE_BYTES) + " are kept").getBytes(StandardCharsets.UTF_8));
      value = Arrays.copyOf(value, Math.min(value.length, TRUNCATED_VALUE_BYTES));
      if (key != null && key.length() > TRUNCATED_VALUE_BYTES) {
        key = key.substring(0, TRUNCATED_VALUE_BYTES);
      }
    }
    try {
      producer.send(new ProducerRecord<>(topic, null, key, value, headers), (metadata, error) -> {
        if (error instanceof RecordTooLargeException && !truncate) {
          // The topic takes less than this side thought (its limit was lowered): the truncated copy fits. Sent from
          // another thread than this callback's, the producer's own, whose send could wait for room only it frees.
          java.util.concurrent.CompletableFuture.runAsync(() -> write(record, source, why, true, written));
          return;
        }
        if (error != null) {
          LOG.error("could not put {} on {} (it is lost; reason it was put aside: {}): {}", source, topic, why,
              error.toString());
        }
        written.run();
      });
    } catch (RuntimeException e) {
      LOG.error("could not put {} on {} (it is lost; reason it was put aside: {}): {}", source, topic, why,
          e.toString());
      written.run();
    }
  }

  private static int headerBytes(ConsumerRecord<String, byte[]> record) {
    int bytes = 0;
    for (Header header : record.headers()) {
      bytes += header.key().length() * 3 + (header.value() == null ? 0 : header.value().length);
    }
    return bytes;
  }
}
