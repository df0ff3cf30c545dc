/**
 * A real Kafka broker that the project starts itself, for tests and the one-machine mode:
 * {@link dev.weft.kafka.embedded.EmbeddedKafka}.
 */
package dev.weft.kafka.embedded;
