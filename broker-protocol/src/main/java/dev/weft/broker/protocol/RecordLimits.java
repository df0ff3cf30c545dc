package dev.weft.broker.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest record Weft may write to each of its topics: the smallest of {@code weft.max.record.bytes}, the
 * producer's {@code max.request.size}, the brokers' {@code socket.request.max.bytes} and the topic's
 * {@code max.message.bytes} as Kafka reports them, less room for what Kafka adds to a value. Every record Weft writes is checked against it before it is sent, so that what does not
 * fit is answered by design (a task failed naming the limit, an event split or cut) instead of refused by Kafka after
 * the fact.
 *
 * <p>A topic's limit is read from Kafka the first time it is needed; if Kafka cannot say (it is away), the
 * configured limit stands and Kafka is asked again next time. Topics whose limit is below the configured one are
 * reported once, naming the settings that reconcile them.
 */
public final class RecordLimits {
  private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);
  /** Room for what a record holds besides its value: Kafka's batch and record headers, the key, Weft's headers. */
  public static final int FRAMING_BYTES = 4 * 1024;
  /**
   * What the events topic must take: events are split and cut to stay well under it ({@link GraphEvent#inParts()}),
   * so it need not take the configured limit.
   */
  static final int EVENTS_NEED_BYTES = 1 << 20;

  private final Map<String, Object> clientProperties;
  private final int configured;
  private final Map<String, Integer> topicLimits = new ConcurrentHashMap<>();
  private static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
  /** The brokers' {@code socket.request.max.bytes} (of one broker: a cluster's are alike), once read. */
  private volatile Integer requestLimit;
  private volatile boolean requestReported;
  private final String eventsTopic;
  /** When Kafka may be asked again after it could not say: not at once, since records are checked on hot paths. */
  private volatile long askAgainAtNanos = System.nanoTime();
  private static final long ASK_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int ASK_TIMEOUT_MS = 5_000;
  private volatile boolean warned;

  /**
   * @param clientProperties how to reach Kafka (as {@link WeftKafkaConfig#clientProperties()})
   * @param configured {@code weft.max.record.bytes}
   */
  public RecordLimits(Map<String, Object> clientProperties, int configured, Topics topics) {
    this.clientProperties = clientProperties;
    Object requestSize = clientProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    this.configured = requestSize == null ? configured
        : Math.min(configured, Integer.parseInt(requestSize.toString()));
    this.eventsTopic = topics.events();
  }

  /** The largest value Weft writes to {@code topic}, in bytes. */
  public int of(String topic) {
    Integer known = topicLimits.get(topic);
    if (known == null && System.nanoTime() - askAgainAtNanos >= 0) {
      read(List.of(topic));
      known = topicLimits.get(topic);
    }
    return Math.min(ofProducer(), known == null ? Integer.MAX_VALUE : known - FRAMING_BYTES);
  }

  /**
   * Kafka could not say a limit: the configured one stands until it can, and it is asked again in a while. Said once
   * as a warning (a principal not allowed to describe configs never learns them), then quietly.
   */
  private void couldNotAsk(String what, Throwable e) {
    askAgainAtNanos = System.nanoTime() + ASK_AGAIN_NANOS;
    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    if (!warned) {
      warned = true;
      LOG.warn("cannot read {} from Kafka ({}); records are checked against {} = {} until it can be read", what,
          cause.toString(), WeftKafkaConfig.MAX_RECORD_BYTES, configured);
    } else {
      LOG.debug("cannot read {} from Kafka now: {}", what, cause.toString());
    }
  }

  /** The largest value Weft's producers send to any topic, before compression: what the settings allow. */
  public int ofProducer() {
    Integer request = requestLimit;
    return Math.min(configured, request == null ? Integer.MAX_VALUE : request) - FRAMING_BYTES;
  }

  /**
   * Where {@link #of(String)}'s figure comes from, for messages: the settings that raise it; with a null topic, where
   * {@link #ofProducer()}'s comes from.
   */
  public String describe(String topic) {
    Integer known = topic == null ? null : topicLimits.get(topic);
    Integer request = requestLimit;
    if (request != null && request < configured && (known == null || request <= known)) {
      return "the brokers' " + SOCKET_REQUEST_MAX_BYTES + " is " + request + "; raise it, as "
          + WeftKafkaConfig.MAX_RECORD_BYTES + " (" + configured + ") assumes";
    }
    if (known != null && known < configured) {
      return "the topic's max.message.bytes is " + known + "; raise it, as weft.max.record.bytes (" + configured
          + ") assumes";
    }
    return WeftKafkaConfig.MAX_RECORD_BYTES + " is " + configured + ", less " + FRAMING_BYTES + " for Kafka's "
        + "framing; raise it (and the max.message.bytes of the topic) for larger records";
  }

  /**
   * Reads the limits of {@code topics} from Kafka and reports, once, those below the configured limit; returns the
   * reports (empty when every topic takes what Weft may write).
   */
  public List<String> read(Collection<String> topics) {
    Map<String, Integer> read = new java.util.HashMap<>();
    Map<String, Object> properties = new java.util.HashMap<>(clientProperties);
    // Bounded: this may run on a loop's thread, which must not wait a minute for Kafka (the Admin's default).
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ASK_TIMEOUT_MS);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ASK_TIMEOUT_MS);
    Admin admin = Admin.create(properties);
    try {
      if (requestLimit == null) {
        // A broker closes the connection of a request larger than this, whatever the topic takes, and the producer
        // would send it again for ever: no record may be larger. Read apart from the topics: a principal may be
        // allowed to describe topics and not the cluster.
        try {
          String broker = admin.describeCluster().nodes().get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS).iterator()
              .next().idString();
          ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, broker);
          ConfigEntry entry = admin.describeConfigs(List.of(resource)).values().get(resource)
              .get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(SOCKET_REQUEST_MAX_BYTES);
          if (entry != null && entry.value() != null) {
            requestLimit = Integer.parseInt(entry.value());
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
          couldNotAsk("the brokers' " + SOCKET_REQUEST_MAX_BYTES, e);
        }
      }
      List<ConfigResource> resources = topics.stream()
          .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
      Map<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>> configs =
          admin.describeConfigs(resources).values();
      for (ConfigResource resource : resources) {
        try {
          ConfigEntry entry = configs.get(resource).get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
              .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
          if (entry != null && entry.value() != null) {
            read.put(resource.name(), Integer.parseInt(entry.value()));
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
          couldNotAsk("the max.message.bytes of " + resource.name(), e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
    List<String> reports = new ArrayList<>();
    Integer request = requestLimit;
    if (request != null && request < configured && !requestReported) {
      requestReported = true;
      String report = "Kafka's brokers take requests of at most " + request + " bytes (their "
          + SOCKET_REQUEST_MAX_BYTES + "), less than the " + configured + " of " + WeftKafkaConfig.MAX_RECORD_BYTES
          + ": larger records are refused before they are sent. Raise it in the brokers' settings or lower "
          + WeftKafkaConfig.MAX_RECORD_BYTES;
      LOG.warn(report);
      reports.add(report);
    }
    read.forEach((topic, limit) -> {
      if (topicLimits.put(topic, limit) == null) {
        int needed = topic.equals(eventsTopic) ? Math.min(configured, EVENTS_NEED_BYTES) : configured;
        if (limit < needed) {
          String report = "topic " + topic + " takes records of at most " + limit + " bytes (its "
              + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + "), less than the " + needed + " of "
              + WeftKafkaConfig.MAX_RECORD_BYTES + ": larger records are refused before they are sent. Raise it "
              + "(kafka-configs.sh --alter --entity-type topics --entity-name " + topic + " --add-config "
              + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + "=" + needed + ") or lower " + WeftKafkaConfig.MAX_RECORD_BYTES;
          LOG.warn(report);
          reports.add(report);
        }
      }
    });
    return reports;
  }
}
