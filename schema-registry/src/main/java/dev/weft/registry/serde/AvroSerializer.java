package dev.weft.registry.serde;

import dev.weft.registry.RegisteredSchema;
import dev.weft.registry.RestSchemaRegistryClient;
import dev.weft.registry.SchemaRegistryClient;
import dev.weft.registry.SchemaRegistryException;
import dev.weft.registry.serde.internal.AvroDatums;
import dev.weft.registry.serde.internal.WireFormat;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro values in Confluent's wire format: magic byte 0, the schema's registry id as a big-endian int32, the
 * Avro binary encoding. Values are Avro records, enums, fixed and arrays ({@code GenericContainer}, generated
 * classes included) and the Java primitives, strings and byte arrays. A null value is written as null (a Kafka
 * tombstone).
 *
 * <p>The schema is registered under the subject its {@link SubjectNameStrategy} names ({@code auto.register.schemas},
 * the default), or must already be registered there, or the subject's latest version is used
 * ({@code use.latest.version}); see {@link AvroSerdeConfig}. Ids are cached by the registry client, so a schema costs
 * one registry call per process.
 *
 * <p>Kafka calls {@link #configure} on a serializer it instantiates from a class name; a serializer passed to a
 * producer as an instance must be configured by its creator. Thread-safe once configured.
 */
public final class AvroSerializer implements Serializer<Object> {
  private SchemaRegistryClient client;
  private final boolean ownsClient;
  private boolean isKey;
  private SubjectNameStrategy subjectNames;
  private boolean autoRegister;
  private boolean useLatestVersion;
  private boolean normalize;

  /** A serializer that builds its registry client from {@code schema.registry.url} and the other client keys. */
  public AvroSerializer() {
    this.ownsClient = true;
  }

  /** A serializer that uses {@code client}, which it does not close; {@link #configure} must still be called. */
  public AvroSerializer(SchemaRegistryClient client) {
    this.client = client;
    this.ownsClient = false;
  }

  /** A serializer that uses {@code client}, configured by {@code configs}. */
  public AvroSerializer(SchemaRegistryClient client, Map<String, ?> configs, boolean isKey) {
    this(client);
    configure(configs, isKey);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    this.isKey = isKey;
    this.subjectNames = config.subjectNameStrategy(isKey);
    this.autoRegister = config.autoRegisterSchemas();
    this.useLatestVersion = config.useLatestVersion();
    this.normalize = config.normalizeSchemas();
    if (ownsClient) {
      if (client != null) {
        client.close();
      }
      client = RestSchemaRegistryClient.fromConfigs(configs);
    }
  }

  /**
   * @throws SerializationException when the value has no Avro schema or does not match it, or the registry refuses
   *     or does not know its schema (the cause is then a {@link SchemaRegistryException} with the registry's error
   *     code)
   */
  @Override
  public byte[] serialize(String topic, Object value) {
    if (value == null) {
      return null;
    }
    if (client == null || subjectNames == null) {
      throw new IllegalStateException("AvroSerializer is not configured: call configure() first");
    }
    Schema schema = AvroDatums.schemaOf(value);
    String subject = subjectNames.subjectName(topic, isKey, schema);
    Schema writerSchema = schema;
    Object datum = value;
    int id;
    try {
      if (useLatestVersion) {
        RegisteredSchema latest = client.latest(subject);
        id = latest.id();
        if (!latest.schema().equals(schema)) {
          writerSchema = latest.schema();
          datum = AvroDatums.convert(value, schema, writerSchema);
        }
      } else if (autoRegister) {
        id = client.register(subject, schema, normalize);
      } else {
        id = client.lookup(subject, schema, normalize).id();
      }
    } catch (SchemaRegistryException e) {
      String action = useLatestVersion ? "fetch the latest schema of" : autoRegister ? "register a schema under"
          : "find the schema among those of";
      throw new SerializationException("cannot " + action + " subject '" + subject + "' for a " + schema.getFullName()
          + " on topic '" + topic + "': " + e.getMessage(), e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    WireFormat.writeHeader(out, id);
    AvroDatums.write(datum, writerSchema, out);
    return out.toByteArray();
  }

  /** Closes the registry client if this serializer built it. */
  @Override
  public void close() {
    if (ownsClient && client != null) {
      client.close();
    }
  }
}
