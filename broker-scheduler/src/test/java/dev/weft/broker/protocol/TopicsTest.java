package dev.weft.broker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/** Weft's topics, as {@link Topics#create} makes them, against the real broker. */
@WithKafka
class TopicsTest {
  /**
   * A topic whose creation returned is not yet served everywhere: describing it at once could fail with "this server
   * does not host this topic-partition", as a scheduler's first check of the co-partitioning did on a fresh clone.
   * Creation returns only once every partition has a leader.
   */
  @Test
  void topicsAreServedAsSoonAsTheirCreationReturns(TestKafka kafka) throws Exception {
    for (int round = 0; round < 20; round++) {
      Map<String, Object> config = new HashMap<>(kafka.clientProperties());
      config.put(WeftKafkaConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1");
      config.put(WeftKafkaConfig.TOPIC_PREFIX, kafka.uniqueName("t" + round) + ".");
      config.put(WeftKafkaConfig.GRAPH_PARTITIONS, "6");
      WeftKafkaConfig weft = new WeftKafkaConfig(config);
      weft.createTopics(List.of("extra"));
      Topics topics = weft.topics();
      topics.verifyCoPartitioned(kafka.admin());
      Map<String, TopicDescription> described = kafka.admin().describeTopics(List.of(topics.graphs(),
          topics.results(), topics.events(), topics.tasks("extra"))).allTopicNames().get();
      described.values().forEach(topic -> topic.partitions().forEach(partition ->
          assertEquals(1, partition.leader() == null ? 0 : 1, topic.name() + " has a leaderless partition")));
    }
  }
}
