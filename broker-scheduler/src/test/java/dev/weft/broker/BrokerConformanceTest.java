package dev.weft.broker;

import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.scheduler.ComputeOptions;
import dev.weft.testkit.SchedulerConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite on the broker scheduler: a real Kafka broker, a scheduler service, two worker JVMs. */
@WithKafka
class BrokerConformanceTest extends SchedulerConformanceSuite {
  private static WeftCluster cluster;

  @BeforeAll
  static void startCluster(TestKafka kafka) throws Exception {
    cluster = WeftCluster.start(kafka, 2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected ComputeOptions scheduler() {
    return cluster.options();
  }
}
