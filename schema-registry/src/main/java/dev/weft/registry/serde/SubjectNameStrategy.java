package dev.weft.registry.serde;

import org.apache.avro.Schema;

/**
 * The subject under which a serializer registers, or looks up, the schema of a record it writes to a topic.
 * Implementations need a public no-argument constructor to be named in configuration.
 */
@FunctionalInterface
public interface SubjectNameStrategy {

  /**
   * @param topic the topic the record is written to or read from
   * @param isKey whether the record is the message key
   * @param schema the record's schema (the writer's schema when deserializing)
   */
  String subjectName(String topic, boolean isKey, Schema schema);
}
