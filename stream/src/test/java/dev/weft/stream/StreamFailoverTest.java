package dev.weft.stream;

import static dev.weft.stream.StreamCluster.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across crashes: a worker and then the scheduler running the job are killed (SIGKILL) while records
 * stream through; a read_committed consumer of the output still sees each input's output once, in input order.
 */
@WithKafka
class StreamFailoverTest {
  private static final int RECORDS = 10_000;

  @Test
  void eachOutputIsSeenOnceInOrderAcrossKilledWorkersAndSchedulers(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      Process first = cluster.schedulerProcess("scheduler-1");
      Process second = cluster.schedulerProcess("scheduler-2");
      Process worker = cluster.workerProcess("worker-1");
      cluster.workerProcess("worker-2");
      String input = cluster.topic("names");
      String output = cluster.topic("upper");
      StreamJob job = StreamJobTest.job(cluster.topic("job"), input, output).withBatching(100, 5, 4);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        // Both schedulers read a share of the input before anything is killed.
        StreamJobTest.awaitStatus(jobs, job.name(), status -> status.instances().size() == 2
            && status.instances().stream().allMatch(instance -> !instance.partitions().isEmpty()));

        cluster.produce(input, StreamJobTest.names(0, 3_000));
        awaitOutputs(jobs, job.name(), 1_000);
        worker.destroyForcibly().waitFor();

        cluster.produce(input, StreamJobTest.names(3_000, 6_000));
        awaitOutputs(jobs, job.name(), 4_000);
        first.destroyForcibly().waitFor();

        cluster.produce(input, StreamJobTest.names(6_000, RECORDS));
        // The standby took the dead scheduler's partitions over.
        StreamJobTest.awaitStatus(jobs, job.name(), status -> status.instances().stream().anyMatch(
            instance -> instance.instance().equals("scheduler-2") && instance.partitions().size() == 4));
        List<ConsumerRecord<byte[], byte[]>> outputs = cluster.readCommitted(output, RECORDS, Duration.ofMinutes(3));

        Set<String> distinct = new HashSet<>();
        Map<String, List<Integer>> idsByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : outputs) {
          String value = text(record.value());
          assertTrue(distinct.add(value), "output " + value + " seen twice");
          idsByKey.computeIfAbsent(text(record.key()), key -> new ArrayList<>())
              .add(Integer.parseInt(value.substring("USER-".length())));
        }
        assertEquals(RECORDS, outputs.size(), "every input's output, once");
        idsByKey.forEach((key, ids) -> assertEquals(ids.stream().sorted().toList(), ids,
            "outputs of key " + key + " out of input order"));
        assertTrue(second.isAlive(), "the standby scheduler lives");
      }
    }
  }

  /**
   * A zombie is fenced and its successor goes on: another producer takes the job's transactional id again and again
   * while records stream through, so the job's producer is fenced before or inside its transactions; each time it
   * aborts, makes a new producer and reads again from the committed offsets, and no output is lost or seen twice.
   */
  @Test
  void aJobWhoseProducerIsFencedAgainAndAgainWritesEachOutputOnce(TestKafka kafka) throws Exception {
    try (StreamCluster cluster = new StreamCluster(kafka)) {
      cluster.scheduler("scheduler-1");
      cluster.worker("worker-1");
      String input = cluster.topic("names");
      String output = cluster.topic("upper");
      StreamJob job = StreamJobTest.job(cluster.topic("job"), input, output).withBatching(20, 1, 4);
      try (StreamJobs jobs = StreamJobs.connect(cluster.connection())) {
        jobs.start(job, FunctionRegistry.global());
        StreamJobTest.awaitStatus(jobs, job.name(), status -> status.instances().size() == 1);
        String transactionalId = new StreamConfig(cluster.connection()).jobGroup(job.name()) + ".scheduler-1";
        Thread producing = new Thread(() -> {
          for (int from = 0; from < 3_000; from += 200) { // over about 1.5 s, while the producer is fenced
            cluster.produce(input, StreamJobTest.names(from, from + 200));
            try {
              Thread.sleep(100);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        producing.start();
        int fenced = 0;
        while (fenced < 15) {
          Map<String, Object> zombie = new HashMap<>(kafka.clientProperties());
          zombie.put("transactional.id", transactionalId);
          try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(zombie,
              new org.apache.kafka.common.serialization.ByteArraySerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.initTransactions();
          }
          fenced++;
          Thread.sleep(100);
        }
        producing.join();

        List<ConsumerRecord<byte[], byte[]>> committed = cluster.readCommitted(output, 3_000, Duration.ofMinutes(2));
        assertEquals(3_000, committed.size(), "every input's output, once");
        assertEquals(3_000, committed.stream().map(record -> text(record.value())).distinct().count());
      }
    }
  }

  /** Waits until the instances that run the job have committed {@code outputs} between them. */
  private static void awaitOutputs(StreamJobs jobs, String name, long outputs) throws InterruptedException {
    StreamJobTest.awaitStatus(jobs, name, status -> status.recordsOut() >= outputs);
  }
}
