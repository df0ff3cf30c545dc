package dev.weft.broker.protocol;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a record that cannot be decoded aside, as it came, on the dead-letter topic, with why ({@code weft.reason}) and
 * where it was ({@code weft.source}, topic-partition@offset) in its headers: nothing is dropped, and nothing blocks the
 * records behind it.
 */
public final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  public static final String REASON_HEADER = "weft.reason";
  public static final String SOURCE_HEADER = "weft.source";

  private DeadLetters() {}

  public static void send(Producer<String, byte[]> producer, Topics topics, ConsumerRecord<String, byte[]> record,
      RuntimeException reason) {
    LOG.warn("{}-{}@{} cannot be decoded ({}); sent to {}", record.topic(), record.partition(), record.offset(),
        reason.getMessage(), topics.deadLetters());
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON_HEADER, String.valueOf(reason.getMessage()).getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_HEADER, (record.topic() + "-" + record.partition() + "@" + record.offset())
        .getBytes(StandardCharsets.UTF_8));
    producer.send(new ProducerRecord<>(topics.deadLetters(), null, record.key(), record.value(), headers),
        (metadata, error) -> {
          if (error != null) {
            LOG.error("could not put {}-{}@{} on {}: {}", record.topic(), record.partition(), record.offset(),
                topics.deadLetters(), error.toString());
          }
        });
  }
}
