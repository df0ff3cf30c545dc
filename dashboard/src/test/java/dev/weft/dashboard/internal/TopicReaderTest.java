package dev.weft.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.broker.protocol.Topics;
import dev.weft.dashboard.ClusterState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The view's reader of Weft's topics, on a mock consumer. */
class TopicReaderTest {

  /** An error that recurs (the topics are not authorized) is retried after a pause, not in a loop that spins a core. */
  @Test
  @Timeout(30)
  void anErrorThatRecursIsRetriedAfterAPauseNotAtOnce() throws Exception {
    List<Long> asked = new CopyOnWriteArrayList<>();
    MockConsumer<String, Object> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
      @Override
      public synchronized Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
        asked.add(System.nanoTime());
        throw new TopicAuthorizationException("not authorized to describe weft.events");
      }
    };
    ClusterModel model = new ClusterModel(new ClusterState.Rules(2_000, 10_000), 10);
    TopicReader reader = new TopicReader(consumer, Topics.withDefaultPrefix(), null, model, 60_000,
        System::currentTimeMillis);
    Thread thread = new Thread(reader, "topic-reader-test");
    thread.start();
    try {
      while (asked.size() < 3) { // the test's timeout bounds the wait
        Thread.sleep(10);
      }
    } finally {
      reader.close();
      thread.join(10_000);
    }
    assertTrue(!thread.isAlive(), "the reader stops when closed, in its pause too");
    // A lower bound only, which a slow machine cannot break: each try waits the pause after the error before it.
    for (int i = 1; i < 3; i++) {
      long gapMs = (asked.get(i) - asked.get(i - 1)) / 1_000_000;
      assertTrue(gapMs >= TopicReader.ERROR_PAUSE_MS - 50, "try " + (i + 1) + " came " + gapMs + " ms after the one"
          + " before, not after the " + TopicReader.ERROR_PAUSE_MS + " ms pause");
    }
    List<String> problems = model.state(System.currentTimeMillis()).problems();
    assertTrue(problems.stream().anyMatch(p -> p.contains("not authorized")), problems.toString());
  }
}
