package dev.weft.registry.serde;

import org.apache.avro.Schema;

/**
 * The schema's full name ({@code dev.weft.avro.TaskResult}): one lineage per record type, shared by every topic that
 * carries it, so a topic may hold several types. A primitive schema's name is its type ({@code string}).
 */
public final class RecordNameStrategy implements SubjectNameStrategy {
  @Override
  public String subjectName(String topic, boolean isKey, Schema schema) {
    return schema.getFullName();
  }
}
