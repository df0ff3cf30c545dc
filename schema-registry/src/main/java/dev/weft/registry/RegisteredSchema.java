package dev.weft.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * A schema as registered under a subject: its global id, its version within the subject, and the schema itself.
 *
 * @param subject the subject it is registered under
 * @param id the registry-wide id that the Confluent wire format writes before each record
 * @param version its version within {@code subject}, from 1
 * @param schema the schema as the registry holds it
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {
  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }
}
