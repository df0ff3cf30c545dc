package dev.weft.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The calls of the Confluent Schema Registry REST API that Weft makes, for Avro schemas. Confluent Schema Registry,
 * Apicurio Registry's ccompat API, Karapace, Redpanda and Weft's embedded registry all serve them.
 *
 * <p>Every method throws {@link SchemaRegistryException} when the registry refuses the call or cannot be reached; the
 * exception carries the registry's {@code error_code}. Implementations are thread-safe.
 */
public interface SchemaRegistryClient extends AutoCloseable {

  /** {@link #register(String, Schema, boolean)} without normalization. */
  default int register(String subject, Schema schema) {
    return register(subject, schema, false);
  }

  /**
   * Registers {@code schema} under {@code subject} if it is not there yet, and returns its id. The same schema always
   * gets the same id, under any subject.
   *
   * @param normalize whether the registry normalizes the schema first, so that schemas that differ only in how they
   *     are written get the same id
   * @throws SchemaRegistryException with {@link SchemaRegistryException#INCOMPATIBLE_SCHEMA} (HTTP 409) when the
   *     schema breaks the subject's compatibility level, {@link SchemaRegistryException#INVALID_SCHEMA} (HTTP 422) when
   *     the registry cannot parse it
   */
  int register(String subject, Schema schema, boolean normalize);

  /** {@link #lookup(String, Schema, boolean)} without normalization. */
  default RegisteredSchema lookup(String subject, Schema schema) {
    return lookup(subject, schema, false);
  }

  /**
   * The id and version under which {@code schema} is registered under {@code subject}, without registering it.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#SUBJECT_NOT_FOUND} or
   *     {@link SchemaRegistryException#SCHEMA_NOT_FOUND}
   */
  RegisteredSchema lookup(String subject, Schema schema, boolean normalize);

  /**
   * The schema registered under {@code id}.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#SCHEMA_NOT_FOUND} for an unknown id
   */
  Schema schemaById(int id);

  /** The subjects that have at least one version that is not deleted. */
  List<String> subjects();

  /**
   * The versions of {@code subject} that are not deleted, in increasing order.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#SUBJECT_NOT_FOUND}
   */
  List<Integer> versions(String subject);

  /**
   * Version {@code version} of {@code subject}.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#SUBJECT_NOT_FOUND},
   *     {@link SchemaRegistryException#VERSION_NOT_FOUND} or {@link SchemaRegistryException#INVALID_VERSION}
   */
  RegisteredSchema version(String subject, int version);

  /**
   * The latest version of {@code subject}. A client may cache it for a configured time, so a version registered since
   * may not show at once.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#SUBJECT_NOT_FOUND}
   */
  RegisteredSchema latest(String subject);

  /** {@link #testCompatibility(String, String, Schema, boolean)} against the versions the subject's level names. */
  default CompatibilityResult testCompatibility(String subject, Schema schema, boolean verbose) {
    return testCompatibility(subject, "latest", schema, verbose);
  }

  /**
   * Whether {@code schema} is compatible with version {@code version} of {@code subject} under the subject's
   * compatibility level. A subject with no versions accepts any schema.
   *
   * @param version a version number, or {@code "latest"} for the versions the subject's level names (the latest, or
   *     all of them for a transitive level)
   * @param verbose whether the answer says why a schema is incompatible
   */
  CompatibilityResult testCompatibility(String subject, String version, Schema schema, boolean verbose);

  /** The registry-wide compatibility level. */
  CompatibilityLevel compatibility();

  /** The compatibility level that applies to {@code subject}: its own, or else the registry-wide one. */
  CompatibilityLevel compatibility(String subject);

  /** Sets the registry-wide compatibility level; returns it as the registry now holds it. */
  CompatibilityLevel setCompatibility(CompatibilityLevel level);

  /** Sets {@code subject}'s own compatibility level; returns it as the registry now holds it. */
  CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level);

  /**
   * Deletes every version of {@code subject} and returns their numbers. A soft delete hides them; a permanent delete,
   * allowed only after a soft delete, removes them (their ids stay resolvable while another subject uses them).
   */
  List<Integer> deleteSubject(String subject, boolean permanent);

  /** Clears the client's caches and releases what it holds. */
  @Override
  void close();
}
