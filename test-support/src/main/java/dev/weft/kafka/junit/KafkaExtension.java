package dev.weft.kafka.junit;

import dev.weft.kafka.junit.internal.SharedKafka;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension that injects {@link TestKafka} parameters. Use it through {@link WithKafka}, or with
 * {@code @ExtendWith(KafkaExtension.class)}, which runs against the configured target.
 *
 * <p>The broker of each target starts on first use and is shared by every test class of the JVM; it stops when the
 * JUnit run ends, and an embedded broker's log folder is then deleted. A class whose target is
 * {@link KafkaTarget#TESTCONTAINERS} is skipped, with the reason, where no Docker engine runs. A broker that fails to
 * start fails each test that asks for it, with the cause; it is not tried again.
 */
public final class KafkaExtension implements ExecutionCondition, ParameterResolver {
  /**
   * System property choosing the target of classes that do not choose one: {@code embedded} (the default),
   * {@code testcontainers} or {@code external}. Set it for a build, as in
   * {@code mvn verify -Dweft.kafka.target=external}.
   */
  public static final String TARGET_PROPERTY = "weft.kafka.target";

  /** Environment variable read when {@value #TARGET_PROPERTY} is not set. */
  public static final String TARGET_ENV = "WEFT_KAFKA_TARGET";

  /** System property with the Docker image of the Testcontainers target; default {@code apache/kafka} of this Kafka. */
  public static final String IMAGE_PROPERTY = "weft.kafka.image";

  /** Environment variable read when {@value #IMAGE_PROPERTY} is not set. */
  public static final String IMAGE_ENV = "WEFT_KAFKA_IMAGE";

  private static final Namespace NAMESPACE = Namespace.create(KafkaExtension.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    KafkaTarget target = target(context);
    if (target != KafkaTarget.TESTCONTAINERS) {
      return ConditionEvaluationResult.enabled("Kafka target: " + target.name().toLowerCase(Locale.ROOT));
    }
    ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
    DockerCheck docker = root.getOrComputeIfAbsent(DockerCheck.class, key -> new DockerCheck(
        SharedKafka.dockerUnavailableReason()), DockerCheck.class);
    return docker.unavailableReason
        .map(reason -> ConditionEvaluationResult.disabled("Kafka target testcontainers: " + reason))
        .orElseGet(() -> ConditionEvaluationResult.enabled("Kafka target: testcontainers"));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestKafka.class;
  }

  @Override
  public TestKafka resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KafkaTarget target = target(context);
    SharedKafka shared = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(target, SharedKafka::start, SharedKafka.class);
    if (shared.failure() != null) {
      throw new ParameterResolutionException("no Kafka broker for this test (target " + target + "): "
          + shared.failure().getMessage(), shared.failure());
    }
    // Keyed by the context's id: stores are inherited, and a class's TestKafka must not stand in for a test's.
    return context.getStore(NAMESPACE).getOrComputeIfAbsent("test-kafka " + context.getUniqueId(),
        key -> new ScopedTestKafka(new TestKafka(target, shared.connection(), scope(context))),
        ScopedTestKafka.class).kafka;
  }

  private static KafkaTarget target(ExtensionContext context) {
    Optional<WithKafka> annotation = Optional.empty();
    for (Class<?> type = context.getTestClass().orElse(null); type != null && annotation.isEmpty();
        type = type.getEnclosingClass()) {
      annotation = AnnotationSupport.findAnnotation(type, WithKafka.class);
    }
    KafkaTarget chosen = annotation.map(WithKafka::target).orElse(KafkaTarget.CONFIGURED);
    try {
      return chosen.resolve();
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException(e.getMessage(), e);
    }
  }

  private static String scope(ExtensionContext context) {
    String className = context.getTestClass().map(Class::getSimpleName).orElse("test");
    return context.getTestMethod().map(method -> className + "-" + method.getName()).orElse(className);
  }

  /** Closes the {@link TestKafka} of a test when its context ends: JUnit closes AutoCloseable values in a store. */
  private static final class ScopedTestKafka implements AutoCloseable {
    final TestKafka kafka;

    ScopedTestKafka(TestKafka kafka) {
      this.kafka = kafka;
    }

    @Override
    public void close() {
      kafka.close();
    }
  }

  /** Whether Docker runs, asked once per JVM: the answer takes Testcontainers a moment. */
  private record DockerCheck(Optional<String> unavailableReason) {}
}
