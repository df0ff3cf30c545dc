package dev.weft.registry.embedded.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.embedded.StoreRecord;
import java.io.IOException;
import java.util.Arrays;

/**
 * {@link StoreRecord}s as the keys and values of the schemas topic: JSON modeled on Confluent's {@code _schemas}
 * topic. Keys are written with their fields in a fixed order, so the same key is always the same bytes and compaction
 * keeps the last record of each.
 *
 * <p>Unlike Confluent's, a schema version's key holds its whole identity: the id and the SHA-256 of the schema text
 * as well as subject and version. Two registries racing for one version thus write two keys, and compaction can
 * never replace the record that won with the one that lost.
 *
 * <pre>
 * schema version   key   {"keytype":"SCHEMA","subject":"orders-value","version":2,"id":7,"sha256":"9f2c...","magic":1}
 *                  value {"subject":"orders-value","version":2,"id":7,"schema":"{...}","deleted":false}
 *                        (null: the version is permanently deleted, or withdrawn by its writer)
 * compatibility    key   {"keytype":"CONFIG","subject":"orders-value","magic":0}  (subject null: registry-wide)
 *                  value {"compatibilityLevel":"FULL"}  (null: the setting is removed)
 * </pre>
 *
 * Other key types (Confluent's NOOP, MODE, DELETE_SUBJECT, ...) and schemas of other types are not Weft's and are
 * skipped.
 */
public final class StoreRecordJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record's key and value bytes; the value is null for a tombstone. */
  public record Encoded(byte[] key, byte[] value) {}

  private StoreRecordJson() {}

  public static Encoded encode(StoreRecord record) {
    if (record instanceof StoreRecord.SchemaVersion) {
      StoreRecord.SchemaVersion version = (StoreRecord.SchemaVersion) record;
      ObjectNode value = JSON.createObjectNode().put("subject", version.subject()).put("version", version.version())
          .put("id", version.id()).put("schema", version.schema()).put("deleted", version.deleted());
      return new Encoded(schemaKey(version.subject(), version.version(), version.id(), version.schemaSha256()),
          bytes(value));
    }
    if (record instanceof StoreRecord.SchemaVersionRemoved) {
      StoreRecord.SchemaVersionRemoved removed = (StoreRecord.SchemaVersionRemoved) record;
      return new Encoded(schemaKey(removed.subject(), removed.version(), removed.id(), removed.schemaSha256()),
          null);
    }
    StoreRecord.Compatibility config = (StoreRecord.Compatibility) record;
    ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("subject", config.subject()).put("magic", 0);
    byte[] value = config.level() == null ? null
        : bytes(JSON.createObjectNode().put("compatibilityLevel", config.level().name()));
    return new Encoded(bytes(key), value);
  }

  /**
   * The record a key and value encode, or null for one this registry does not use.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  public static StoreRecord decode(byte[] keyBytes, byte[] valueBytes) {
    JsonNode key = parse(keyBytes, "key");
    if (key == null || !key.isObject()) {
      throw new IllegalArgumentException("the key is not a JSON object");
    }
    String keyType = key.path("keytype").asText("");
    if (keyType.equals("SCHEMA")) {
      if (valueBytes == null) {
        return new StoreRecord.SchemaVersionRemoved(requiredText(key, "subject", "key"),
            requiredInt(key, "version", "key"), requiredInt(key, "id", "key"), requiredText(key, "sha256", "key"));
      }
      JsonNode value = parse(valueBytes, "value");
      if (!value.path("schemaType").asText("AVRO").equals("AVRO")) {
        return null;
      }
      StoreRecord.SchemaVersion version = new StoreRecord.SchemaVersion(requiredText(value, "subject", "value"),
          requiredInt(value, "version", "value"), requiredInt(value, "id", "value"),
          requiredText(value, "schema", "value"), value.path("deleted").asBoolean(false));
      if (!Arrays.equals(keyBytes, encode(version).key())) {
        throw new IllegalArgumentException("the key does not match the value's subject, version, id and schema");
      }
      return version;
    }
    if (keyType.equals("CONFIG")) {
      JsonNode subject = key.get("subject");
      String subjectName = subject == null || subject.isNull() ? null : subject.asText();
      if (valueBytes == null) {
        return new StoreRecord.Compatibility(subjectName, null);
      }
      JsonNode value = parse(valueBytes, "value");
      String level = requiredText(value, "compatibilityLevel", "value");
      return new StoreRecord.Compatibility(subjectName, CompatibilityLevel.forName(level));
    }
    return null;
  }

  private static byte[] schemaKey(String subject, int version, int id, String schemaSha256) {
    return bytes(JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version)
        .put("id", id).put("sha256", schemaSha256).put("magic", 1));
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(byte[] bytes, String what) {
    if (bytes == null) {
      throw new IllegalArgumentException("the " + what + " is null");
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("the " + what + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static String requiredText(JsonNode node, String field, String what) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("the " + what + " has no string \"" + field + "\"");
    }
    return value.asText();
  }

  private static int requiredInt(JsonNode node, String field, String what) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("the " + what + " has no integer \"" + field + "\"");
    }
    return value.asInt();
  }
}
