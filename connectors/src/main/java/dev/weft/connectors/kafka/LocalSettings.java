package dev.weft.connectors.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The client properties this JVM adds to every connection of the Kafka connector: what must not travel in a graph
 * (credentials) or differs by machine (a truststore's path). They come from a properties file, named by the system
 * property {@value TopicConnection#LOCAL_CONFIG_FILE_PROPERTY} or else the environment variable
 * {@value TopicConnection#LOCAL_CONFIG_FILE_ENV}, and from environment variables
 * {@value TopicConnection#LOCAL_ENV_PREFIX}{@code <PROPERTY>}, which win over the file.
 *
 * <p>They are read again at each use, so that credentials rotated in the file are picked up without a restart.
 */
final class LocalSettings {
  private final Map<String, String> values;
  private final String origin;

  private LocalSettings(Map<String, String> values, String origin) {
    this.values = Collections.unmodifiableMap(values);
    this.origin = origin;
  }

  /** This JVM's settings: its system properties and environment. */
  static LocalSettings load() {
    return load(System.getenv(), System.getProperty(TopicConnection.LOCAL_CONFIG_FILE_PROPERTY));
  }

  /**
   * The settings of {@code environment}.
   *
   * @param fileProperty the value of the system property naming the file, or null
   * @throws UncheckedIOException naming the file if it is named but cannot be read
   */
  static LocalSettings load(Map<String, String> environment, String fileProperty) {
    Map<String, String> values = new TreeMap<>();
    List<String> origins = new ArrayList<>();
    String file = fileProperty != null ? fileProperty : environment.get(TopicConnection.LOCAL_CONFIG_FILE_ENV);
    if (file != null && !file.isBlank()) {
      values.putAll(readFile(Path.of(file)));
      origins.add("the file " + file);
    }
    List<String> variables = new ArrayList<>();
    environment.forEach((name, value) -> {
      if (name.startsWith(TopicConnection.LOCAL_ENV_PREFIX) && !name.equals(TopicConnection.LOCAL_CONFIG_FILE_ENV)) {
        values.put(propertyOf(name), value);
        variables.add(name);
      }
    });
    if (!variables.isEmpty()) {
      Collections.sort(variables);
      origins.add("the environment variables " + String.join(", ", variables));
    }
    return new LocalSettings(values, origins.isEmpty() ? "none" : String.join(" and ", origins));
  }

  /** {@code WEFT_CONNECTORS_KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}. */
  static String propertyOf(String variable) {
    return variable.substring(TopicConnection.LOCAL_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static Map<String, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Kafka connector settings file " + file + " (named by "
          + TopicConnection.LOCAL_CONFIG_FILE_PROPERTY + " or " + TopicConnection.LOCAL_CONFIG_FILE_ENV + "): "
          + e.getMessage(), e);
    }
    Map<String, String> values = new TreeMap<>();
    properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
    return values;
  }

  /** The properties, by name. */
  Map<String, String> values() {
    return values;
  }

  /** Where they come from, for messages: {@code the file /etc/weft/kafka.properties}. */
  String origin() {
    return origin;
  }
}
