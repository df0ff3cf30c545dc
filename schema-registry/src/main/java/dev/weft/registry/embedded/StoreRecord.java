package dev.weft.registry.embedded;

import dev.weft.registry.CompatibilityLevel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One entry of a registry's log: the whole state of an {@link EmbeddedSchemaRegistry} is what its
 * {@link SchemaStore}'s records say, applied in order.
 *
 * <p>Each record has a key, and a later record with the same key replaces an earlier one, so that a compacted log
 * yields the same state. A schema version's key is its whole identity (subject, version, id and schema text), so two
 * registries that race for one version write different keys, and the first in the log wins for every reader, before
 * and after compaction; see {@link SchemaStore}.
 */
public sealed interface StoreRecord {

  /**
   * Version {@code version} of {@code subject} is schema {@code id}, whose text is {@code schema}.
   *
   * @param deleted whether the version is soft-deleted: hidden from listings, still resolvable by id
   */
  record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) implements StoreRecord {
    public SchemaVersion {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(schema, "schema");
      if (version < 1 || id < 1) {
        throw new IllegalArgumentException("version and id start at 1: version " + version + ", id " + id);
      }
    }

    /** The SHA-256 of the schema text, in hex: how a tombstone names the text. */
    public String schemaSha256() {
      return sha256(schema);
    }
  }

  /**
   * The {@link SchemaVersion} with this identity is permanently deleted, or withdrawn by the registry that wrote it
   * after it lost a race: the tombstone of its key.
   */
  record SchemaVersionRemoved(String subject, int version, int id, String schemaSha256) implements StoreRecord {
    public SchemaVersionRemoved {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(schemaSha256, "schemaSha256");
    }

    /** The tombstone of {@code version}. */
    public static SchemaVersionRemoved of(SchemaVersion version) {
      return new SchemaVersionRemoved(version.subject(), version.version(), version.id(), version.schemaSha256());
    }
  }

  /**
   * The compatibility level of {@code subject}, or the registry-wide one when {@code subject} is null; a null
   * {@code level} removes the setting.
   */
  record Compatibility(String subject, CompatibilityLevel level) implements StoreRecord {}

  /** The SHA-256 of {@code text} as UTF-8, in lower-case hex. */
  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
