/** How {@link dev.weft.kafka.embedded.EmbeddedKafka} runs Kafka. Not API: it changes without notice. */
package dev.weft.kafka.embedded.internal;
