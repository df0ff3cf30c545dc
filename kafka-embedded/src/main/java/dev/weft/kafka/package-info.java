/** How Weft reaches a Kafka cluster: {@link dev.weft.kafka.KafkaConnection}. */
package dev.weft.kafka;
