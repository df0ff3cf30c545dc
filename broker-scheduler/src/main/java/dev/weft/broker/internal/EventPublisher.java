package dev.weft.broker.internal;

import dev.weft.broker.protocol.GraphEvent;
import dev.weft.broker.protocol.TopicAdmin;
import dev.weft.broker.protocol.Topics;
import dev.weft.broker.protocol.WireCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the events of graphs to the events topic, in the partition of their graph. Progress and task events are
 * superseded by later ones: one Kafka refuses is logged and not sent again. How a graph ended is what a client's future
 * waits for: one Kafka refuses is sent again ({@link #resendFinals}), and the commit of the graph's partition stays at
 * the graph's command and its first result until it is written ({@link #oldestUnsentCommand},
 * {@link #oldestUnsentResults}). The newest endings are remembered, to answer
 * the resubmission of a graph that already ended ({@link #endingOf}).
 *
 * <p>Called from the loop's thread; the producer's callbacks add to the queue of unsent endings.
 */
public final class EventPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
  private static final int REMEMBERED_ENDINGS = 10_000;
  /** Output locations the remembered endings may hold together: 100,000 take about 13 MB of heap. */
  private static final long REMEMBERED_LOCATIONS = 200_000;

  private final CountedProducer producer;
  private final WireCodec codec;
  private final TopicAdmin admin;
  private final String topic;
  private final LinkedHashMap<String, GraphEvent> endings = new LinkedHashMap<>();
  private long rememberedLocations;
  private final ConcurrentLinkedQueue<UnsentEnding> unsent = new ConcurrentLinkedQueue<>();
  private final SchedulerMeters meters;

  /** An ending to send again, of the graph whose command and first result are at the offsets given. */
  private record UnsentEnding(int partition, long commandOffset, long resultsStart, GraphEvent event) {}

  public EventPublisher(CountedProducer producer, WireCodec codec, Topics topics, TopicAdmin admin,
      SchedulerMeters meters) {
    this.producer = producer;
    this.codec = codec;
    this.admin = admin;
    this.topic = topics.events();
    this.meters = meters;
  }

  /** Publishes an event that a later one supersedes; one Kafka refuses is logged, not sent again. */
  public void publish(int partition, GraphEvent event) {
    try {
      producer.send(new ProducerRecord<>(topic, partition, event.graphId(), encode(event)), error -> {
        if (error != null) {
          LOG.error("could not publish {} of graph {}: {}", event.type(), event.graphId(), error.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("could not publish {} of graph {}: {}", event.type(), event.graphId(), e.toString());
    }
  }

  /**
   * Publishes how a graph ended, in as many events as its outputs need ({@link GraphEvent#inParts()}), and remembers
   * it. {@code commandOffset} is where the graph's command is in its partition of the graphs topic, and
   * {@code resultsStart} where its results start in the results topic: a successor reads both again if the ending is
   * not written, and ends the graph from the results without running its tasks again.
   */
  public void publishEnding(int partition, long commandOffset, long resultsStart, GraphEvent event) {
    meters.graphEnded(event.type());
    remember(event);
    for (GraphEvent part : event.inParts()) {
      publishPart(new UnsentEnding(partition, commandOffset, resultsStart, part));
    }
  }

  /** Publishes the rejection of a graph command, which ran no task: nothing of the results topic is its. */
  public void publishRejection(int partition, long commandOffset, GraphEvent event) {
    publishEnding(partition, commandOffset, Long.MAX_VALUE, event);
  }

  /** How a graph that ended here lately ended, or null. */
  public GraphEvent endingOf(String graphId) {
    return endings.get(graphId);
  }

  /** Sends again the endings Kafka refused, of the partitions this scheduler still owns. */
  public void resendEndings(Set<Integer> owned) {
    List<UnsentEnding> again = new ArrayList<>(unsent);
    unsent.removeAll(again);
    for (UnsentEnding ending : again) {
      if (owned.contains(ending.partition())) {
        publishPart(ending);
      }
    }
  }

  public boolean hasUnsentEndings() {
    return !unsent.isEmpty();
  }

  /**
   * The offset of the oldest graph command of {@code partition} whose ending is not written, or {@code upTo}: a
   * successor must read that graph again, and end it again with the event this scheduler could not write.
   */
  public long oldestUnsentCommand(int partition, long upTo) {
    return oldestUnsent(partition, upTo, UnsentEnding::commandOffset);
  }

  /** Where the results of the oldest graph of {@code partition} whose ending is not written start, or {@code upTo}. */
  public long oldestUnsentResults(int partition, long upTo) {
    return oldestUnsent(partition, upTo, UnsentEnding::resultsStart);
  }

  private long oldestUnsent(int partition, long upTo, ToLongFunction<UnsentEnding> offset) {
    long oldest = upTo;
    for (UnsentEnding ending : unsent) {
      if (ending.partition() == partition) {
        oldest = Math.min(oldest, offset.applyAsLong(ending));
      }
    }
    return oldest;
  }

  private void publishPart(UnsentEnding part) {
    GraphEvent event = part.event();
    try {
      producer.send(new ProducerRecord<>(topic, part.partition(), event.graphId(), encode(event)), error -> {
        if (error != null) {
          LOG.error("could not publish {} of graph {} (it is sent again): {}", event.type(), event.graphId(),
              error.toString());
          unsent.add(part);
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("could not publish {} of graph {} (it is sent again): {}", event.type(), event.graphId(), e.toString());
      unsent.add(part);
    }
  }

  /**
   * Remembers how a graph ended, forgetting the oldest endings beyond {@link #REMEMBERED_ENDINGS} graphs or
   * {@link #REMEMBERED_LOCATIONS} output locations (the newest is kept whatever its size). A resubmission of a graph
   * forgotten runs it again.
   */
  private void remember(GraphEvent event) {
    GraphEvent replaced = endings.remove(event.graphId());
    if (replaced != null) {
      rememberedLocations -= replaced.locations().size();
    }
    endings.put(event.graphId(), event);
    rememberedLocations += event.locations().size();
    for (Iterator<GraphEvent> oldest = endings.values().iterator(); oldest.hasNext(); ) {
      GraphEvent forgotten = oldest.next();
      if (forgotten == event
          || endings.size() <= REMEMBERED_ENDINGS && rememberedLocations <= REMEMBERED_LOCATIONS) {
        break;
      }
      rememberedLocations -= forgotten.locations().size();
      oldest.remove();
    }
  }

  /**
   * An event encoded, within what the events topic takes. Events are small by design ({@link GraphEvent#inParts()});
   * only keys or ids of near the record limit could make one too large, and then it goes without its details: a
   * COMPLETED event that cannot name its outputs becomes a failure that says why, since no reader could use it.
   */
  private byte[] encode(GraphEvent event) {
    byte[] encoded = codec.encode(topic, event);
    int limit = admin.limitOf(topic);
    if (encoded.length <= limit) {
      return encoded;
    }
    String why = "the " + event.type() + " event of graph " + event.graphId() + " is " + encoded.length
        + " bytes encoded, over the " + limit + " bytes " + topic + " takes (" + admin.describeLimit(topic) + ")";
    LOG.error("{}; it is sent without its details", why);
    return codec.encode(topic, event.withoutDetails(why));
  }
}
