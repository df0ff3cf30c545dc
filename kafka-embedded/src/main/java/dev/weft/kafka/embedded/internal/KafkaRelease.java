package dev.weft.kafka.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The Apache Kafka release this module was built with, as the build wrote it into a resource. */
public final class KafkaRelease {
  private static final String RESOURCE = "/dev/weft/kafka/kafka-version.properties";

  private KafkaRelease() {}

  /** The version, such as {@code 4.4.0}. */
  public static String version() {
    Properties properties = new Properties();
    try (InputStream in = KafkaRelease.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path: a broken build of"
            + " weft-kafka-embedded");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return properties.getProperty("kafka.version");
  }
}
