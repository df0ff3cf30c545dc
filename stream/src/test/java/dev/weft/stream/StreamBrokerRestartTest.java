package dev.weft.stream;

import static dev.weft.stream.StreamCluster.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job on a broker of the test's own, killed with SIGKILL while records stream through and started again on the same
 * log folder and port: the job goes on, and each input's output is seen once, in input order.
 */
class StreamBrokerRestartTest {
  @TempDir
  Path temp;

  @Test
  void aBrokerKilledAndRestartedMidStreamLosesAndRepeatsNoOutput() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().childProcess(true).logDir(temp.resolve("kafka")).start();
         StreamCluster cluster = new StreamCluster(kafka.connection().clientProperties(), base -> base + "-restart")) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("names");
      String output = cluster.topic("upper");
      StreamJob job = StreamJobTest.job(cluster.topic("job"), input, output).withBatching(50, 5, 4);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        // Records keep coming, before, while and after the broker is away.
        Thread producing = new Thread(() -> {
          for (int from = 0; from < 4_000; from += 100) {
            cluster.produce(input, StreamJobTest.names(from, from + 100));
            try {
              Thread.sleep(50);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        producing.start();
        StreamJobTest.awaitStatus(jobs, job.name(), status -> status.recordsOut() >= 500);
        kafka.kill();
        kafka.restart();
        producing.join();
      }
      List<ConsumerRecord<byte[], byte[]>> outputs = cluster.readCommitted(output, 4_000, Duration.ofMinutes(3));
      Set<String> distinct = new HashSet<>();
      Map<String, List<Integer>> idsByKey = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : outputs) {
        String value = text(record.value());
        assertTrue(distinct.add(value), "output " + value + " seen twice");
        idsByKey.computeIfAbsent(text(record.key()), key -> new ArrayList<>())
            .add(Integer.parseInt(value.substring("USER-".length())));
      }
      assertEquals(4_000, outputs.size(), "every input's output, once");
      idsByKey.forEach((key, ids) -> assertEquals(ids.stream().sorted().toList(), ids,
          "outputs of key " + key + " out of input order"));
    }
  }
}
