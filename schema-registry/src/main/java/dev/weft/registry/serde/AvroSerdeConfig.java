package dev.weft.registry.serde;

import dev.weft.registry.SchemaRegistryClientConfig;
import dev.weft.value.DecodeLimits;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;

/**
 * The configuration of {@link AvroSerializer} and {@link AvroDeserializer}: these keys plus the registry client's
 * ({@link SchemaRegistryClientConfig}). Keys are Confluent's where Confluent has one with the same meaning.
 */
public final class AvroSerdeConfig extends AbstractConfig {

  public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
  public static final String AUTO_REGISTER_SCHEMAS_DOC = "Whether the serializer registers the schema of a record it"
      + " writes. When false the schema must already be registered under the subject, or serialization fails:"
      + " for producers that must not change a topic's schemas.";

  public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
  public static final String USE_LATEST_VERSION_DOC = "Serializer: write every record with the latest schema"
      + " registered under its subject (converting the record to it, which fails when its own schema cannot be"
      + " read as the latest), and register nothing. Deserializer: read every record into the latest schema of"
      + " the subject of its writer's schema, unless a reader schema is configured.";

  public static final String NORMALIZE_SCHEMAS_CONFIG = "normalize.schemas";
  public static final String NORMALIZE_SCHEMAS_DOC = "Whether the registry normalizes schemas before registering"
      + " or looking them up, so schemas that differ only in how they are written share an id.";

  public static final String KEY_SUBJECT_NAME_STRATEGY_CONFIG = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
  public static final String SUBJECT_NAME_STRATEGY_DOC = "How the subject of a record's schema is named: 'topic'"
      + " (<topic>-key or <topic>-value), 'record' (the schema's full name), 'topic_record' (<topic>-<full name>),"
      + " or the name of a class implementing " + SubjectNameStrategy.class.getName() + ". Confluent's strategy"
      + " class names are accepted for the first three.";

  public static final String KEY_READER_SCHEMA_CONFIG = "avro.key.reader.schema";
  public static final String VALUE_READER_SCHEMA_CONFIG = "avro.value.reader.schema";
  public static final String READER_SCHEMA_DOC = "Deserializer: the Avro schema (JSON) that keys or values are read"
      + " into, whatever schema they were written with, resolved by Avro's schema evolution rules. Unset: the"
      + " writer's schema (or the latest, with use.latest.version).";

  public static final String DECODE_MAX_DEPTH_CONFIG = "avro.decode.max.depth";
  public static final String DECODE_MAX_DEPTH_DOC = "Deserializer: how deeply arrays and maps may nest in one"
      + " record.";

  public static final String DECODE_MAX_ITEMS_CONFIG = "avro.decode.max.items";
  public static final String DECODE_MAX_ITEMS_DOC = "Deserializer: how many array items and map entries one record"
      + " may hold in all. Counts are also checked against the bytes that remain, which bounds every schema whose"
      + " array items take at least one byte; this limit bounds the others (arrays of nulls or of empty records).";

  private static final ConfigDef CONFIG = SchemaRegistryClientConfig.addTo(new ConfigDef())
      .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
      .define(USE_LATEST_VERSION_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, USE_LATEST_VERSION_DOC)
      .define(NORMALIZE_SCHEMAS_CONFIG, Type.BOOLEAN, false, Importance.LOW, NORMALIZE_SCHEMAS_DOC)
      .define(KEY_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, "topic", Importance.MEDIUM, SUBJECT_NAME_STRATEGY_DOC)
      .define(VALUE_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, "topic", Importance.MEDIUM,
          SUBJECT_NAME_STRATEGY_DOC)
      .define(KEY_READER_SCHEMA_CONFIG, Type.STRING, null, Importance.MEDIUM, READER_SCHEMA_DOC)
      .define(VALUE_READER_SCHEMA_CONFIG, Type.STRING, null, Importance.MEDIUM, READER_SCHEMA_DOC)
      .define(DECODE_MAX_DEPTH_CONFIG, Type.INT, DecodeLimits.DEFAULT.maxDepth(), Range.atLeast(1), Importance.LOW,
          DECODE_MAX_DEPTH_DOC)
      .define(DECODE_MAX_ITEMS_CONFIG, Type.LONG, DecodeLimits.DEFAULT.maxCollectionItems(), Range.atLeast(0),
          Importance.LOW, DECODE_MAX_ITEMS_DOC);

  public AvroSerdeConfig(Map<String, ?> originals) {
    super(CONFIG, originals, false);
  }

  /** Every key with its type, default and documentation, for generated docs. */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
  }

  public boolean useLatestVersion() {
    return getBoolean(USE_LATEST_VERSION_CONFIG);
  }

  public boolean normalizeSchemas() {
    return getBoolean(NORMALIZE_SCHEMAS_CONFIG);
  }

  public DecodeLimits decodeLimits() {
    return new DecodeLimits(getInt(DECODE_MAX_DEPTH_CONFIG), getLong(DECODE_MAX_ITEMS_CONFIG));
  }

  /** The strategy configured for keys or values. */
  public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
    String key = isKey ? KEY_SUBJECT_NAME_STRATEGY_CONFIG : VALUE_SUBJECT_NAME_STRATEGY_CONFIG;
    String name = getString(key).strip();
    switch (name.toLowerCase(Locale.ROOT)) {
      case "topic":
      case "io.confluent.kafka.serializers.subject.topicnamestrategy":
        return new TopicNameStrategy();
      case "record":
      case "io.confluent.kafka.serializers.subject.recordnamestrategy":
        return new RecordNameStrategy();
      case "topic_record":
      case "topic-record":
      case "io.confluent.kafka.serializers.subject.topicrecordnamestrategy":
        return new TopicRecordNameStrategy();
      default:
        try {
          return Utils.newInstance(name, SubjectNameStrategy.class);
        } catch (ClassNotFoundException | KafkaException e) {
          throw new ConfigException(key, name, "not 'topic', 'record', 'topic_record' or the name of a class"
              + " implementing " + SubjectNameStrategy.class.getName() + " with a public no-argument constructor: "
              + e.getMessage());
        }
    }
  }

  /** The reader schema configured for keys or values, or null. */
  public Schema readerSchema(boolean isKey) {
    String key = isKey ? KEY_READER_SCHEMA_CONFIG : VALUE_READER_SCHEMA_CONFIG;
    String text = getString(key);
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new ConfigException(key, text, "not a valid Avro schema: " + e.getMessage());
    }
  }
}
