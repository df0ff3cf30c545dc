/**
 * A Kafka broker for JUnit 5 tests: {@link dev.weft.kafka.junit.WithKafka} on a class, a
 * {@link dev.weft.kafka.junit.TestKafka} parameter in its tests. Needs {@code junit-jupiter-api} on the class path,
 * and {@code org.testcontainers:kafka} for the Testcontainers target.
 */
package dev.weft.kafka.junit;
