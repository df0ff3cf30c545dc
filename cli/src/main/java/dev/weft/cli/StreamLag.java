package dev.weft.cli;

import dev.weft.stream.StreamConfig;
import dev.weft.stream.StreamJob;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The lag of stream jobs as Kafka has it: the records of a job's inputs that its consumer group has not committed yet
 * (from a partition's first record when the group committed nothing there). Unlike the lag the instances report, it
 * is there for a paused job, whose records wait in Kafka with no instance reading them.
 */
final class StreamLag {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private StreamLag() {}

  /** Each job's lag, by name; a job whose inputs or group cannot be read now is left out. */
  static Map<String, Long> of(Map<String, Object> config, List<StreamJob> jobs) {
    StreamConfig streams = new StreamConfig(config);
    Map<String, Long> lags = new HashMap<>();
    try (Admin admin = Admin.create(streams.clientProperties())) {
      for (StreamJob job : jobs) {
        try {
          lags.put(job.name(), lag(admin, streams.jobGroup(job.name()), job));
        } catch (ExecutionException | TimeoutException e) {
          // shown as unknown: an input topic was deleted, say
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return lags;
        }
      }
    }
    return lags;
  }

  private static long lag(Admin admin, String group, StreamJob job)
      throws ExecutionException, TimeoutException, InterruptedException {
    List<String> topics = job.inputs().stream().map(StreamJob.Input::topic).distinct().toList();
    List<TopicPartition> partitions = admin.describeTopics(topics).allTopicNames()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values().stream()
        .flatMap(topic -> topic.partitions().stream().map(p -> new TopicPartition(topic.name(), p.partition())))
        .toList();
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(admin, partitions, OffsetSpec.latest());
    Map<TopicPartition, ListOffsetsResultInfo> starts = offsets(admin, partitions, OffsetSpec.earliest());
    long lag = 0;
    for (TopicPartition partition : partitions) {
      OffsetAndMetadata done = committed.get(partition);
      long from = done != null ? done.offset() : starts.get(partition).offset();
      lag += Math.max(0, ends.get(partition).offset() - from);
    }
    return lag;
  }

  private static Map<TopicPartition, ListOffsetsResultInfo> offsets(Admin admin, List<TopicPartition> partitions,
      OffsetSpec spec) throws ExecutionException, TimeoutException, InterruptedException {
    Map<TopicPartition, OffsetSpec> wanted = partitions.stream()
        .collect(Collectors.toMap(partition -> partition, partition -> spec));
    return admin.listOffsets(wanted, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
