package dev.weft.registry.embedded.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.embedded.SchemaStore;
import dev.weft.registry.embedded.SchemaStore.Update;
import dev.weft.registry.embedded.StoreRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * The operations of the Confluent Schema Registry REST API with Confluent's semantics: global ids (the same schema
 * text gets the same id under every subject), versions per subject from 1, soft and permanent deletes, compatibility
 * levels (BACKWARD unless configured), and Confluent's error codes. Each method returns the JSON answer or throws
 * {@link RestError}.
 */
public final class RegistryService {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LATEST = "latest";

  private final SchemaStore store;
  private final RegistryState state;
  private final CompatibilityLevel defaultLevel;

  public RegistryService(SchemaStore store, RegistryState state, CompatibilityLevel defaultLevel) {
    this.store = store;
    this.state = state;
    this.defaultLevel = defaultLevel;
  }

  /** POST /subjects/{subject}/versions: registers a schema if the subject does not have it yet. */
  public JsonNode register(String subject, JsonNode body, boolean normalize) {
    requireValidSubject(subject);
    Schema schema = schemaOf(body);
    String text = normalize ? SchemaTexts.normalized(schema) : SchemaTexts.canonical(schema);
    int id = store.update(() -> {
      synchronized (state) {
        List<RegistryState.Version> live = state.versions(subject, false);
        for (RegistryState.Version version : live) {
          if (matches(version, text, normalize)) {
            return Update.of(version.id());
          }
        }
        List<String> problems = CompatibilityChecker.check(levelOf(subject), schema, live);
        if (!problems.isEmpty()) {
          throw RestError.incompatible(subject, problems);
        }
        Integer existing = state.idOf(text);
        int newId = existing != null ? existing : state.highestIdSeen() + 1;
        int newVersion = state.maxVersion(subject) + 1;
        return Update.of(newId, new StoreRecord.SchemaVersion(subject, newVersion, newId, text, false));
      }
    });
    return JSON.createObjectNode().put("id", id);
  }

  /** POST /subjects/{subject}: the version of the subject that is this schema. */
  public JsonNode lookup(String subject, JsonNode body, boolean normalize, boolean includeDeleted) {
    Schema schema = schemaOf(body);
    String text = normalize ? SchemaTexts.normalized(schema) : SchemaTexts.canonical(schema);
    return findOrSync(() -> {
      List<RegistryState.Version> versions = state.versions(subject, includeDeleted);
      if (versions.isEmpty()) {
        throw RestError.subjectNotFound(subject);
      }
      for (RegistryState.Version version : versions) {
        if (matches(version, text, normalize)) {
          return versionJson(version);
        }
      }
      throw RestError.schemaNotFound();
    });
  }

  /** GET /schemas/ids/{id}. */
  public JsonNode schemaById(int id) {
    return JSON.createObjectNode().put("schema", storedSchema(id).text());
  }

  /** GET /schemas/ids/{id}/schema: the schema itself. */
  public String schemaText(int id) {
    return storedSchema(id).text();
  }

  /** GET /schemas/ids/{id}/subjects. */
  public JsonNode subjectsOf(int id, boolean includeDeleted) {
    storedSchema(id);
    ArrayNode subjects = JSON.createArrayNode();
    state.versionsOf(id, includeDeleted).stream().map(RegistryState.Version::subject).distinct()
        .forEach(subjects::add);
    return subjects;
  }

  /** GET /schemas/ids/{id}/versions. */
  public JsonNode versionsOf(int id, boolean includeDeleted) {
    storedSchema(id);
    ArrayNode versions = JSON.createArrayNode();
    for (RegistryState.Version version : state.versionsOf(id, includeDeleted)) {
      versions.addObject().put("subject", version.subject()).put("version", version.version());
    }
    return versions;
  }

  /** GET /subjects. */
  public JsonNode subjects(boolean includeDeleted) {
    ArrayNode subjects = JSON.createArrayNode();
    state.subjects(includeDeleted).forEach(subjects::add);
    return subjects;
  }

  /** GET /subjects/{subject}/versions. */
  public JsonNode versions(String subject, boolean includeDeleted) {
    return findOrSync(() -> {
      List<RegistryState.Version> versions = state.versions(subject, includeDeleted);
      if (versions.isEmpty()) {
        throw RestError.subjectNotFound(subject);
      }
      ArrayNode numbers = JSON.createArrayNode();
      versions.forEach(version -> numbers.add(version.version()));
      return numbers;
    });
  }

  /** GET /subjects/{subject}/versions/{version}. */
  public JsonNode version(String subject, String version, boolean includeDeleted) {
    return versionJson(findVersion(subject, version, includeDeleted));
  }

  /** GET /subjects/{subject}/versions/{version}/schema: the schema itself. */
  public String versionSchemaText(String subject, String version, boolean includeDeleted) {
    return findVersion(subject, version, includeDeleted).schema().text();
  }

  /** DELETE /subjects/{subject}: soft-deletes its versions, or permanently deletes soft-deleted ones. */
  public JsonNode deleteSubject(String subject, boolean permanent) {
    List<Integer> deleted = store.update(() -> {
      synchronized (state) {
        List<RegistryState.Version> all = state.versions(subject, true);
        if (all.isEmpty()) {
          throw RestError.subjectNotFound(subject);
        }
        List<StoreRecord> records = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        for (RegistryState.Version version : all) {
          if (permanent && !version.deleted()) {
            throw RestError.subjectNotSoftDeleted(subject);
          }
          if (permanent) {
            records.add(removal(version));
            numbers.add(version.version());
          } else if (!version.deleted()) {
            records.add(softDeleted(version));
            numbers.add(version.version());
          }
        }
        if (numbers.isEmpty()) {
          throw RestError.subjectSoftDeleted(subject);
        }
        if (permanent && state.subjectLevel(subject) != null) {
          records.add(new StoreRecord.Compatibility(subject, null));
        }
        return new Update<>(records, numbers);
      }
    });
    ArrayNode answer = JSON.createArrayNode();
    deleted.forEach(answer::add);
    return answer;
  }

  /** DELETE /subjects/{subject}/versions/{version}. */
  public JsonNode deleteVersion(String subject, String version, boolean permanent) {
    int deleted = store.update(() -> {
      synchronized (state) {
        // The store brought the view up to date before running this, so a miss is final: no sync here, which
        // would wait for the log's reader while holding the state it needs.
        RegistryState.Version found = versionIn(subject, version, !isLatest(version));
        if (permanent) {
          if (!found.deleted()) {
            throw RestError.versionNotSoftDeleted(subject, found.version());
          }
          return Update.of(found.version(), removal(found));
        }
        if (found.deleted()) {
          throw RestError.versionSoftDeleted(subject, found.version());
        }
        return Update.of(found.version(), softDeleted(found));
      }
    });
    return JSON.getNodeFactory().numberNode(deleted);
  }

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: whether a schema may follow the versions the
   * subject's level names ({@code version} null or "latest"), or the given version.
   */
  public JsonNode testCompatibility(String subject, String version, JsonNode body, boolean verbose) {
    Schema schema = schemaOf(body);
    List<RegistryState.Version> against;
    if (version == null || isLatest(version)) {
      against = state.versions(subject, false);
    } else {
      against = List.of(findVersion(subject, version, false));
    }
    List<String> problems = CompatibilityChecker.check(levelOf(subject), schema, against);
    ObjectNode answer = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
    if (verbose) {
      ArrayNode messages = answer.putArray("messages");
      problems.forEach(messages::add);
    }
    return answer;
  }

  /** GET /config. */
  public JsonNode globalConfig() {
    return JSON.createObjectNode().put("compatibilityLevel", globalLevel().name());
  }

  /** PUT /config. */
  public JsonNode setGlobalConfig(JsonNode body) {
    CompatibilityLevel level = levelOf(body);
    store.update(() -> Update.of(level, new StoreRecord.Compatibility(null, level)));
    return JSON.createObjectNode().put("compatibility", level.name());
  }

  /** DELETE /config: back to the default level; answers the level it replaced. */
  public JsonNode deleteGlobalConfig() {
    CompatibilityLevel previous = store.update(() -> {
      synchronized (state) {
        return Update.of(globalLevel(), new StoreRecord.Compatibility(null, null));
      }
    });
    return JSON.createObjectNode().put("compatibilityLevel", previous.name());
  }

  /** GET /config/{subject}: the subject's own level; with {@code defaultToGlobal}, else the global one. */
  public JsonNode subjectConfig(String subject, boolean defaultToGlobal) {
    CompatibilityLevel level = state.subjectLevel(subject);
    if (level == null && !defaultToGlobal) {
      throw RestError.subjectCompatibilityNotConfigured(subject);
    }
    return JSON.createObjectNode().put("compatibilityLevel", (level != null ? level : globalLevel()).name());
  }

  /** PUT /config/{subject}. */
  public JsonNode setSubjectConfig(String subject, JsonNode body) {
    requireValidSubject(subject);
    CompatibilityLevel level = levelOf(body);
    store.update(() -> Update.of(level, new StoreRecord.Compatibility(subject, level)));
    return JSON.createObjectNode().put("compatibility", level.name());
  }

  /** DELETE /config/{subject}: answers the level it removed. */
  public JsonNode deleteSubjectConfig(String subject) {
    CompatibilityLevel previous = store.update(() -> {
      synchronized (state) {
        CompatibilityLevel level = state.subjectLevel(subject);
        if (level == null) {
          throw RestError.subjectCompatibilityNotConfigured(subject);
        }
        return Update.of(level, new StoreRecord.Compatibility(subject, null));
      }
    });
    return JSON.createObjectNode().put("compatibilityLevel", previous.name());
  }

  private RegistryState.StoredSchema storedSchema(int id) {
    return findOrSync(() -> {
      RegistryState.StoredSchema stored = state.schema(id);
      if (stored == null) {
        throw RestError.schemaNotFound(id);
      }
      return stored;
    });
  }

  private RegistryState.Version findVersion(String subject, String version, boolean includeDeleted) {
    return findOrSync(() -> versionIn(subject, version, includeDeleted));
  }

  private RegistryState.Version versionIn(String subject, String version, boolean includeDeleted) {
    int number = isLatest(version) ? 0 : parseVersion(version);
    List<RegistryState.Version> versions = state.versions(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw RestError.subjectNotFound(subject);
    }
    if (isLatest(version)) {
      return versions.get(versions.size() - 1);
    }
    RegistryState.Version found = state.version(subject, number);
    if (found == null || (found.deleted() && !includeDeleted)) {
      throw RestError.versionNotFound(number);
    }
    return found;
  }

  private static boolean isLatest(String version) {
    return LATEST.equals(version) || "-1".equals(version);
  }

  /** Answers from the local view, or, when that finds nothing, from a view brought up to date with the log. */
  private <T> T findOrSync(Supplier<T> find) {
    try {
      return find.get();
    } catch (RestError e) {
      if (e.status() != 404) {
        throw e;
      }
      store.sync();
      return find.get();
    }
  }

  private CompatibilityLevel levelOf(String subject) {
    CompatibilityLevel level = state.subjectLevel(subject);
    return level != null ? level : globalLevel();
  }

  private CompatibilityLevel globalLevel() {
    CompatibilityLevel level = state.globalLevel();
    return level != null ? level : defaultLevel;
  }

  private static boolean matches(RegistryState.Version version, String text, boolean normalize) {
    return version.schema().text().equals(text) || (normalize && version.schema().normalizedText().equals(text));
  }

  private static StoreRecord softDeleted(RegistryState.Version version) {
    return new StoreRecord.SchemaVersion(version.subject(), version.version(), version.id(),
        version.schema().text(), true);
  }

  private static StoreRecord removal(RegistryState.Version version) {
    return new StoreRecord.SchemaVersionRemoved(version.subject(), version.version(), version.id(),
        version.schema().sha256());
  }

  private static JsonNode versionJson(RegistryState.Version version) {
    return JSON.createObjectNode().put("subject", version.subject()).put("version", version.version())
        .put("id", version.id()).put("schema", version.schema().text());
  }

  private static int parseVersion(String version) {
    try {
      int number = Integer.parseInt(version);
      if (number >= 1) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed forms
    }
    throw RestError.invalidVersion(version);
  }

  private static Schema schemaOf(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw RestError.invalidSchema("the request body must be a JSON object with a \"schema\" string");
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type.toUpperCase(Locale.ROOT))) {
      throw RestError.invalidSchema("schema type " + type + " is not supported: this registry serves Avro only");
    }
    JsonNode references = body.get("references");
    if (references != null && !references.isNull() && !(references.isArray() && references.isEmpty())) {
      throw RestError.invalidSchema("schema references are not supported by this registry");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw RestError.invalidSchema("the request has no \"schema\" string");
    }
    return SchemaTexts.parse(schema.asText());
  }

  private static CompatibilityLevel levelOf(JsonNode body) {
    JsonNode value = body == null ? null : body.has("compatibility") ? body.get("compatibility")
        : body.get("compatibilityLevel");
    String name = value == null || !value.isTextual() ? null : value.asText();
    try {
      return CompatibilityLevel.forName(name);
    } catch (IllegalArgumentException e) {
      throw RestError.invalidCompatibilityLevel(name);
    }
  }

  private static void requireValidSubject(String subject) {
    if (subject.isBlank() || subject.chars().anyMatch(Character::isISOControl)) {
      throw RestError.invalidSubject(subject);
    }
  }
}
