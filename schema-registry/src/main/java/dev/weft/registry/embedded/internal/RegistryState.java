package dev.weft.registry.embedded.internal;

import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.embedded.StoreRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry's state, built by applying its store's records in log order. Its methods are synchronized on the state;
 * a caller that must decide on a consistent view (a registration) holds that lock across its reads.
 *
 * <p>The state is a function of the log alone, and compaction does not change it, so registries that read the same
 * topic agree, whenever they started. The rules: a schema version is accepted unless an accepted version already
 * holds its subject and version, its id is already another schema's, or its schema already has another id; such a
 * record lost a race between registries, and is rejected (its writer then withdraws it). A schema's id is forgotten
 * when no version refers to it any more, as a reader of the compacted topic would never have learnt it.
 */
public final class RegistryState {
  private static final Logger log = LoggerFactory.getLogger(RegistryState.class);

  /** A schema as stored under its id: the text, parsed once, its normalized text, and the text's SHA-256. */
  public record StoredSchema(int id, String text, Schema schema, String normalizedText, String sha256) {}

  /** A version of a subject. */
  public record Version(String subject, int version, StoredSchema schema, boolean deleted) {
    public int id() {
      return schema.id();
    }
  }

  private final Map<Integer, StoredSchema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByText = new HashMap<>();
  private final Map<Integer, Integer> referencesById = new HashMap<>();
  private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel;
  private int highestIdSeen;

  /**
   * Applies the next record of the log.
   *
   * @return whether it took effect: false for a schema version that lost to an earlier record
   */
  public synchronized boolean apply(StoreRecord record) {
    if (record instanceof StoreRecord.SchemaVersion) {
      return apply((StoreRecord.SchemaVersion) record);
    }
    if (record instanceof StoreRecord.SchemaVersionRemoved) {
      remove((StoreRecord.SchemaVersionRemoved) record);
    } else if (record instanceof StoreRecord.Compatibility) {
      StoreRecord.Compatibility config = (StoreRecord.Compatibility) record;
      if (config.subject() == null) {
        globalLevel = config.level();
      } else if (config.level() == null) {
        subjectLevels.remove(config.subject());
      } else {
        subjectLevels.put(config.subject(), config.level());
      }
    }
    return true;
  }

  private boolean apply(StoreRecord.SchemaVersion record) {
    highestIdSeen = Math.max(highestIdSeen, record.id());
    Version existing = version(record.subject(), record.version());
    if (existing != null) {
      if (existing.id() != record.id() || !existing.schema().text().equals(record.schema())) {
        return false;
      }
      subjects.get(record.subject()).put(record.version(),
          new Version(record.subject(), record.version(), existing.schema(), record.deleted()));
      return true;
    }
    StoredSchema stored = schemasById.get(record.id());
    Integer idOfText = idsByText.get(record.schema());
    if ((stored != null && !stored.text().equals(record.schema())) || (idOfText != null && idOfText != record.id())) {
      return false;
    }
    if (stored == null) {
      Schema schema;
      try {
        schema = SchemaTexts.parse(record.schema());
      } catch (RestError e) {
        log.warn("Rejecting version {} of subject '{}' (schema id {}): its schema does not parse: {}",
            record.version(), record.subject(), record.id(), e.getMessage());
        return false;
      }
      stored = new StoredSchema(record.id(), record.schema(), schema, SchemaTexts.normalized(schema),
          record.schemaSha256());
      schemasById.put(record.id(), stored);
      idsByText.put(record.schema(), record.id());
    }
    referencesById.merge(record.id(), 1, Integer::sum);
    subjects.computeIfAbsent(record.subject(), subject -> new TreeMap<>())
        .put(record.version(), new Version(record.subject(), record.version(), stored, record.deleted()));
    return true;
  }

  /** Removes the version the tombstone names, if that is the accepted one; a loser's tombstone changes nothing. */
  private void remove(StoreRecord.SchemaVersionRemoved removed) {
    Version existing = version(removed.subject(), removed.version());
    if (existing == null || existing.id() != removed.id() || !existing.schema().sha256().equals(removed.schemaSha256())) {
      return;
    }
    TreeMap<Integer, Version> versions = subjects.get(removed.subject());
    versions.remove(removed.version());
    if (versions.isEmpty()) {
      subjects.remove(removed.subject());
    }
    if (referencesById.merge(existing.id(), -1, Integer::sum) == 0) {
      referencesById.remove(existing.id());
      schemasById.remove(existing.id());
      idsByText.remove(existing.schema().text());
    }
  }

  /** The schema of {@code id}, or null. Ids stay resolvable after their versions are deleted. */
  public synchronized StoredSchema schema(int id) {
    return schemasById.get(id);
  }

  /** The id of a schema with exactly this text, or null. */
  public synchronized Integer idOf(String text) {
    return idsByText.get(text);
  }

  /**
   * The largest id any record of the log has named, accepted or not, deleted or not: a new schema gets the one after,
   * so that this registry never offers an id that data may still carry.
   */
  public synchronized int highestIdSeen() {
    return highestIdSeen;
  }

  /** The versions of {@code subject}, oldest first, soft-deleted ones only if asked for. */
  public synchronized List<Version> versions(String subject, boolean includeDeleted) {
    List<Version> result = new ArrayList<>();
    TreeMap<Integer, Version> versions = subjects.get(subject);
    if (versions != null) {
      for (Version version : versions.values()) {
        if (includeDeleted || !version.deleted()) {
          result.add(version);
        }
      }
    }
    return result;
  }

  /** Version {@code version} of {@code subject}, soft-deleted or not, or null. */
  public synchronized Version version(String subject, int version) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    return versions == null ? null : versions.get(version);
  }

  /** The largest version number of {@code subject}, soft-deleted ones included; 0 when it has none. */
  public synchronized int maxVersion(String subject) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    return versions == null ? 0 : versions.lastKey();
  }

  /** The subjects with a version, in name order; with only soft-deleted versions if asked for. */
  public synchronized List<String> subjects(boolean includeDeleted) {
    List<String> result = new ArrayList<>();
    subjects.forEach((subject, versions) -> {
      if (includeDeleted || versions.values().stream().anyMatch(version -> !version.deleted())) {
        result.add(subject);
      }
    });
    return result;
  }

  /** The versions of every subject that are schema {@code id}. */
  public synchronized List<Version> versionsOf(int id, boolean includeDeleted) {
    List<Version> result = new ArrayList<>();
    for (TreeMap<Integer, Version> versions : subjects.values()) {
      for (Version version : versions.values()) {
        if (version.id() == id && (includeDeleted || !version.deleted())) {
          result.add(version);
        }
      }
    }
    return result;
  }

  /** The subject's own compatibility level, or null. */
  public synchronized CompatibilityLevel subjectLevel(String subject) {
    return subjectLevels.get(subject);
  }

  /** The registry-wide level set through the API, or null when it was never set. */
  public synchronized CompatibilityLevel globalLevel() {
    return globalLevel;
  }
}
