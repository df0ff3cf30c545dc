package dev.weft.kafka.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a Kafka broker: its tests, lifecycle methods and constructor may declare a {@link TestKafka}
 * parameter. Every class of the JVM shares one broker per target; topic and group names from {@link TestKafka} keep
 * tests apart.
 *
 * <pre>{@code
 * @WithKafka
 * class OrdersTest {
 *   @Test
 *   void shipsOrders(TestKafka kafka) {
 *     String orders = kafka.createTopic("orders", 3);
 *     ...
 *   }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KafkaExtension.class)
public @interface WithKafka {
  /** The broker to run against; by default the one the build configures (see {@link KafkaTarget#CONFIGURED}). */
  KafkaTarget target() default KafkaTarget.CONFIGURED;
}
