/** How {@link dev.weft.kafka.junit.KafkaExtension} finds or starts brokers. Not API: it changes without notice. */
package dev.weft.kafka.junit.internal;
