package dev.weft.kafka.junit;

/**
 * The broker contract against the target the build names: the embedded broker by default, or what
 * {@code -Dweft.kafka.target=testcontainers|external} chooses.
 */
@WithKafka
class ConfiguredBrokerTest extends BrokerContract {}
