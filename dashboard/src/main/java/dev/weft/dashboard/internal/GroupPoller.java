package dev.weft.dashboard.internal;

import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WeftKafkaConfig;
import dev.weft.dashboard.ClusterState;
import dev.weft.stream.JobStatus;
import dev.weft.stream.StreamConfig;
import dev.weft.stream.StreamJob;
import dev.weft.stream.StreamJobs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Kafka, every admin interval, on a thread of its own, what the reports cannot say: each pool's group of workers
 * (members, the partitions each holds, the lag of each partition), the schedulers' group (who owns which graph
 * partitions), and the stream jobs with what their instances report.
 */
final class GroupPoller implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupPoller.class);
  private static final long TIMEOUT_MS = 10_000;

  private final ClusterModel model;
  private final Topics topics;
  private final Map<String, Object> config;
  private final long intervalMs;
  private final Admin admin;
  private StreamJobs streams;
  private volatile boolean closing;

  GroupPoller(Map<String, Object> config, Topics topics, ClusterModel model, long intervalMs) {
    this.model = model;
    this.topics = topics;
    this.intervalMs = intervalMs;
    this.config = new HashMap<>(config);
    // The view reads; it creates no topic (StreamJobs would create the jobs topics).
    this.config.put(WeftKafkaConfig.CREATE_TOPICS, "false");
    Map<String, Object> properties = new HashMap<>(new WeftKafkaConfig(this.config).clientProperties());
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    this.admin = Admin.create(properties);
  }

  @Override
  public void run() {
    try {
      while (!closing) {
        poll();
        synchronized (this) {
          if (!closing) {
            wait(intervalMs);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      admin.close(java.time.Duration.ofSeconds(2));
      if (streams != null) {
        streams.close();
      }
    }
  }

  /** One look; what fails is said in the state, and asked again at the next. */
  void poll() throws InterruptedException {
    Set<String> names;
    try {
      names = get(admin.listTopics().names());
      pollGroups(names);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      if (closing) {
        return;
      }
      model.problem("groups", "Kafka's admin API: " + cause(e));
      LOG.debug("the dashboard could not read the groups: {}", cause(e));
      return;
    }
    try {
      model.onStreams(streams(names));
    } catch (RuntimeException e) {
      model.problem("streams", "the stream jobs: " + cause(e));
    }
  }

  private void pollGroups(Set<String> names) throws ExecutionException, TimeoutException, InterruptedException {
    String prefix = topics.prefix() + "tasks.";
    List<String> pools = names.stream().filter(name -> name.startsWith(prefix))
        .map(name -> name.substring(prefix.length())).sorted().toList();
    List<String> groups = new ArrayList<>();
    pools.forEach(pool -> groups.add(topics.workerGroup(pool)));
    groups.add(topics.schedulerGroup());
    Map<String, ConsumerGroupDescription> described = describe(groups);
    Map<String, TopicDescription> taskTopics = pools.isEmpty() ? Map.of()
        : get(admin.describeTopics(pools.stream().map(topics::tasks).toList()).allTopicNames());
    List<TopicPartition> partitions = new ArrayList<>();
    taskTopics.values().forEach(topic -> topic.partitions()
        .forEach(info -> partitions.add(new TopicPartition(topic.name(), info.partition()))));
    Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(partitions, OffsetSpec.latest());
    Map<TopicPartition, ListOffsetsResultInfo> starts = offsets(partitions, OffsetSpec.earliest());

    List<ClusterState.Pool> poolStates = new ArrayList<>();
    for (String pool : pools) {
      String topic = topics.tasks(pool);
      String group = topics.workerGroup(pool);
      Map<TopicPartition, OffsetAndMetadata> committed = committed(group);
      Map<Integer, String> owners = new TreeMap<>();
      List<MemberDescription> members = described.containsKey(group) ? List.copyOf(described.get(group).members())
          : List.of();
      for (MemberDescription member : members) {
        member.assignment().topicPartitions().forEach(p -> owners.put(p.partition(), workerName(member.clientId())));
      }
      List<ClusterState.PartitionLag> lags = new ArrayList<>();
      Map<Integer, Long> lagOf = new HashMap<>();
      long total = 0;
      TopicDescription description = taskTopics.get(topic);
      int count = description == null ? 0 : description.partitions().size();
      for (int p = 0; p < count; p++) {
        TopicPartition partition = new TopicPartition(topic, p);
        long end = ends.containsKey(partition) ? ends.get(partition).offset() : 0;
        OffsetAndMetadata done = committed.get(partition);
        long from = done != null ? done.offset() : starts.containsKey(partition) ? starts.get(partition).offset() : 0;
        long lag = Math.max(0, end - from);
        total += lag;
        lagOf.put(p, lag);
        lags.add(new ClusterState.PartitionLag(p, end, done == null ? -1 : done.offset(), lag, owners.get(p)));
      }
      List<ClusterState.Member> memberStates = new ArrayList<>();
      for (MemberDescription member : members) {
        List<Integer> held = member.assignment().topicPartitions().stream().map(TopicPartition::partition).sorted()
            .toList();
        memberStates.add(new ClusterState.Member(workerName(member.clientId()), member.clientId(), member.host(),
            held, held.stream().mapToLong(p -> lagOf.getOrDefault(p, 0L)).sum()));
      }
      memberStates.sort(java.util.Comparator.comparing(ClusterState.Member::name));
      poolStates.add(new ClusterState.Pool(pool, topic, group, count, total, memberStates, lags));
    }
    List<ClusterState.Scheduler> schedulers = new ArrayList<>();
    ConsumerGroupDescription schedulerGroup = described.get(topics.schedulerGroup());
    if (schedulerGroup != null) {
      for (MemberDescription member : schedulerGroup.members()) {
        List<Integer> owned = member.assignment().topicPartitions().stream()
            .filter(p -> p.topic().equals(topics.graphs())).map(TopicPartition::partition).sorted().toList();
        schedulers.add(new ClusterState.Scheduler(schedulerName(member.clientId()), member.clientId(), member.host(),
            owned));
      }
    }
    schedulers.sort(java.util.Comparator.comparing(ClusterState.Scheduler::name));
    model.onGroups(poolStates, schedulers);
  }

  /** A worker's name from its consumer's client id, {@code weft-<name>} (as {@code Worker} names it). */
  static String workerName(String clientId) {
    return clientId.startsWith("weft-") ? clientId.substring("weft-".length()) : clientId;
  }

  /** A scheduler's name from its graphs consumer's client id, {@code weft-<name>-graphs}. */
  static String schedulerName(String clientId) {
    String name = workerName(clientId);
    return name.endsWith("-graphs") ? name.substring(0, name.length() - "-graphs".length()) : name;
  }

  private Map<String, ConsumerGroupDescription> describe(List<String> groups)
      throws ExecutionException, TimeoutException, InterruptedException {
    Map<String, ConsumerGroupDescription> described = new HashMap<>();
    for (Map.Entry<String, KafkaFuture<ConsumerGroupDescription>> group
        : admin.describeConsumerGroups(groups).describedGroups().entrySet()) {
      try {
        described.put(group.getKey(), get(group.getValue()));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw e;
        }
      }
    }
    return described;
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(String group)
      throws ExecutionException, TimeoutException, InterruptedException {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata());
      Map<TopicPartition, OffsetAndMetadata> known = new HashMap<>();
      committed.forEach((partition, offset) -> {
        if (offset != null) {
          known.put(partition, offset);
        }
      });
      return known;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
  }

  private Map<TopicPartition, ListOffsetsResultInfo> offsets(Collection<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, TimeoutException, InterruptedException {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
    partitions.forEach(partition -> wanted.put(partition, spec));
    return get(admin.listOffsets(wanted).all());
  }

  private List<ClusterState.Stream> streams(Set<String> names) {
    StreamConfig streamConfig = new StreamConfig(config);
    if (!names.contains(streamConfig.jobsTopic())) {
      return List.of(); // no stream job was ever started here
    }
    if (streams == null) {
      streams = StreamJobs.connect(config);
    }
    List<ClusterState.Stream> states = new ArrayList<>();
    for (JobStatus status : streams.list()) {
      StreamJob job = status.job();
      states.add(new ClusterState.Stream(job.name(), job.state().jsonName(),
          job.inputs().stream().map(StreamJob.Input::topic).toList(),
          job.outputs().values().stream().map(StreamJob.Output::topic).distinct().toList(),
          status.instances().size(), status.recordsIn(), status.recordsOut(), status.deadLetters(),
          status.inPerSecond(), status.outPerSecond(), status.lag(), status.latencyP50Ms(), status.latencyP99Ms(),
          status.instances().stream().filter(instance -> instance.error() != null)
              .map(instance -> instance.instance() + ": " + instance.error()).toList()));
    }
    return states;
  }

  private static <T> T get(KafkaFuture<T> future) throws ExecutionException, TimeoutException, InterruptedException {
    return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private static String cause(Exception e) {
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return String.valueOf(cause);
  }

  void close() {
    closing = true;
    synchronized (this) {
      notifyAll();
    }
  }
}
