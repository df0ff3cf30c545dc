package dev.weft.kafka.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.kafka.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What Weft needs of any Kafka broker: plain records, transactions, the consumer group protocol of KIP-848 and share
 * groups. Each subclass runs it against one {@link KafkaTarget}.
 */
abstract class BrokerContract {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(200);

  @Test
  void recordsWrittenAreReadBackInOrderPerKeyByAConsumerGroup(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("records", 3);
    List<ProducerRecord<String, String>> sent = IntStream.range(0, 300)
        .mapToObj(i -> new ProducerRecord<>(topic, "key-" + i % 7, "value-" + i)).toList();
    try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
      for (ProducerRecord<String, String> record : sent) {
        producer.send(record);
      }
      producer.flush();
    }

    Map<String, List<String>> received = new HashMap<>();
    Map<String, Object> config = Map.of(ConsumerConfig.GROUP_ID_CONFIG, kafka.uniqueName("readers"),
        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer = consumer(kafka, config)) {
      consumer.subscribe(List.of(topic));
      Deadline deadline = Deadline.in(WAIT);
      for (int count = 0; count < sent.size(); ) {
        int seen = count;
        deadline.check(() -> seen + " of " + sent.size() + " records arrived");
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
          received.computeIfAbsent(record.key(), key -> new ArrayList<>()).add(record.value());
          count++;
        }
      }
    }
    Map<String, List<String>> expected = sent.stream().collect(Collectors.groupingBy(ProducerRecord::key,
        Collectors.mapping(ProducerRecord::value, Collectors.toList())));
    assertEquals(expected, received);
  }

  @Test
  void readCommittedConsumersSeeCommittedTransactionsOnly(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("transfers", 2);
    try (KafkaProducer<String, String> producer = producer(kafka, Map.of(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.uniqueName("mover")))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i));
      }
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k0", "last"));
      producer.commitTransaction();
    }

    Set<String> values = new LinkedHashSet<>();
    try (KafkaConsumer<String, String> consumer = consumer(kafka, Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
      List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Deadline deadline = Deadline.in(WAIT);
      while (!readToEnd(consumer, partitions)) {
        deadline.check(() -> "the transactions were read to the end; so far " + values);
        consumer.poll(POLL).forEach(record -> values.add(record.value()));
      }
    }
    Set<String> expected = IntStream.range(0, 10).mapToObj(i -> "committed-" + i).collect(Collectors.toSet());
    expected.add("last");
    assertEquals(expected, values);
  }

  @Test
  void aShareGroupSpreadsOnePartitionOverItsConsumersAndDeliversEveryRecord(TestKafka kafka) throws Exception {
    String topic = kafka.createTopic("tasks", 1);
    String group = kafka.shareGroup("workers");
    Map<String, Object> config = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
        // Acquire at most two records per poll, so one consumer cannot take the whole partition at once.
        ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2);
    try (KafkaShareConsumer<String, String> first = shareConsumer(kafka, config);
        KafkaShareConsumer<String, String> second = shareConsumer(kafka, config)) {
      first.subscribe(List.of(topic));
      second.subscribe(List.of(topic));
      awaitShareMembersWithAssignments(kafka, group, List.of(first, second));

      List<String> sent = IntStream.range(0, 40).mapToObj(i -> "task-" + i).toList();
      try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
        sent.forEach(value -> producer.send(new ProducerRecord<>(topic, value)));
        producer.flush();
      }

      List<String> firstGot = new ArrayList<>();
      List<String> secondGot = new ArrayList<>();
      Deadline deadline = Deadline.in(WAIT);
      while (firstGot.size() + secondGot.size() < sent.size()) {
        deadline.check(() -> "all tasks delivered; first consumer got " + firstGot + ", second " + secondGot);
        takeAndAcknowledge(first, firstGot);
        takeAndAcknowledge(second, secondGot);
      }
      Set<String> all = new HashSet<>(firstGot);
      all.addAll(secondGot);
      assertEquals(new HashSet<>(sent), all, "every task delivered");
      assertEquals(sent.size(), firstGot.size() + secondGot.size(), "no task delivered twice");
      assertFalse(firstGot.isEmpty(), "the first consumer got tasks");
      assertFalse(secondGot.isEmpty(), "the second consumer got tasks");
    }
  }

  @Test
  void namesAreTheSameWithinATestAndTopicsAreEmptyWhenCreated(TestKafka kafka) {
    assertEquals(kafka.topic("events"), kafka.topic("events"));
    assertTrue(kafka.topic("events").startsWith("events-"));
    assertFalse(kafka.topic("events").equals(kafka.topic("other")));
    String topic = kafka.createTopic("events", 1);
    try (KafkaConsumer<String, String> consumer = consumer(kafka, Map.of())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      assertEquals(0L, consumer.endOffsets(List.of(partition)).get(partition));
    }
  }

  private static void takeAndAcknowledge(KafkaShareConsumer<String, String> consumer, List<String> got) {
    for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
      got.add(record.value());
      consumer.acknowledge(record);
    }
    consumer.commitSync();
  }

  /**
   * Polls until the group has both members and each has the partition: a share consumer joins on its first polls,
   * and a consumer that joined alone would otherwise take every record before the other arrives.
   */
  private static void awaitShareMembersWithAssignments(TestKafka kafka, String group,
      List<KafkaShareConsumer<String, String>> consumers) throws Exception {
    Deadline deadline = Deadline.in(WAIT);
    for (;;) {
      for (KafkaShareConsumer<String, String> consumer : consumers) {
        assertTrue(consumer.poll(POLL).isEmpty(), "no records before any was written");
      }
      ShareGroupDescription description = kafka.admin().describeShareGroups(List.of(group)).describedGroups()
          .get(group).get();
      Collection<?> assigned = description.members().stream()
          .filter(member -> !member.assignment().topicPartitions().isEmpty()).toList();
      if (assigned.size() == consumers.size()) {
        return;
      }
      deadline.check(() -> "both share consumers have the partition; the group is " + description);
    }
  }

  private static boolean readToEnd(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
  }

  private static KafkaProducer<String, String> producer(TestKafka kafka, Map<String, Object> extra) {
    Map<String, Object> config = kafka.clientProperties(extra);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(TestKafka kafka, Map<String, Object> extra) {
    return new KafkaConsumer<>(kafka.clientProperties(extra), new StringDeserializer(), new StringDeserializer());
  }

  private static KafkaShareConsumer<String, String> shareConsumer(TestKafka kafka, Map<String, Object> extra) {
    return new KafkaShareConsumer<>(kafka.clientProperties(extra), new StringDeserializer(), new StringDeserializer());
  }
}
