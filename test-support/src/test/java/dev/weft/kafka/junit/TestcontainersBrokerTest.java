package dev.weft.kafka.junit;

/** The broker contract against a Kafka container; skipped, with the reason, where no Docker engine runs. */
@WithKafka(target = KafkaTarget.TESTCONTAINERS)
class TestcontainersBrokerTest extends BrokerContract {}
