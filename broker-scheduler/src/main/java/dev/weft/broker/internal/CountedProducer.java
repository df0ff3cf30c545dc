package dev.weft.broker.internal;

import dev.weft.broker.protocol.DeadLetters;
import dev.weft.broker.protocol.PendingSends;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The scheduler's producer, counting each send until Kafka answers it, so that a commit can wait for what was sent
 * before it (with a deadline: {@code flush()} has none, and Weft's producers retry while Kafka is away).
 */
public final class CountedProducer {
  private final Producer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final PendingSends pending = new PendingSends();
  private final SchedulerMeters meters;

  public CountedProducer(Producer<String, byte[]> producer, DeadLetters deadLetters, SchedulerMeters meters) {
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.meters = meters;
  }

  /**
   * Sends a record. {@code done} gets Kafka's error or null; it runs on the producer's thread, before the send counts
   * as answered, so what it records a commit sees. A send the producer refuses at once throws, and {@code done} is
   * not called.
   */
  public void send(ProducerRecord<String, byte[]> record, Consumer<Exception> done) {
    pending.sent();
    try {
      producer.send(record, (metadata, error) -> {
        try {
          done.accept(error);
        } finally {
          pending.answered();
        }
      });
    } catch (RuntimeException e) {
      pending.answered();
      throw e;
    }
  }

  /** Puts a record that cannot be read aside, to the dead letters; counted as a send. */
  public void putAside(ConsumerRecord<String, byte[]> record, RuntimeException reason) {
    meters.deadLetter();
    pending.sent();
    deadLetters.send(record, reason, pending::answered);
  }

  /** Waits until every send so far is answered; false if {@code timeout} passed first. */
  public boolean awaitAnswers(Duration timeout) throws InterruptedException {
    return pending.awaitAnswers(timeout);
  }

  public int partitionCount(String topic) {
    return producer.partitionsFor(topic).size();
  }

  public void close(Duration timeout) {
    producer.close(timeout);
  }
}
