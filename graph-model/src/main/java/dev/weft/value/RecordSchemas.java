package dev.weft.value;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Where the codec finds the writer schema of an Avro record value, and what it writes beside the record.
 *
 * <p>The default embeds the schema's JSON in every record value, so a value is readable anywhere; it remembers the
 * schemas it has seen (a bounded number) so each is parsed once. A registry-backed implementation can write a
 * registry id instead and look schemas up by id.
 */
public interface RecordSchemas {

  /** The schema whose parsing-canonical-form fingerprint is {@code fingerprint}, if known; else null. */
  Schema byFingerprint(long fingerprint);

  /** The schema registered under {@code id}, if this store knows a registry; else null. */
  default Schema byId(int id) {
    return null;
  }

  /** The registry id to write for {@code schema}, or null to write none. */
  default Integer idOf(Schema schema) {
    return null;
  }

  /** Whether to embed {@code schema}'s JSON in the value. */
  default boolean embed(Schema schema) {
    return true;
  }

  /** Records a schema seen in a value, so later values may name it by fingerprint alone. */
  void remember(long fingerprint, Schema schema);

  /** CRC-64-AVRO fingerprint of the parsing canonical form, as Avro's single-object encoding uses. */
  static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** Embeds every schema; remembers up to {@code capacity} of them. */
  static RecordSchemas embedded(int capacity) {
    return new Embedded(capacity);
  }

  /** The default store: embeds schemas, remembers 1,024. */
  static RecordSchemas embedded() {
    return new Embedded(1024);
  }

  /** The default implementation. */
  final class Embedded implements RecordSchemas {
    private final Map<Long, Schema> byFingerprint;
    private final Map<Schema, Long> fingerprints = new ConcurrentHashMap<>();
    private final int capacity;

    Embedded(int capacity) {
      this.capacity = capacity;
      this.byFingerprint = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Schema> eldest) {
          return size() > Embedded.this.capacity;
        }
      };
    }

    @Override
    public synchronized Schema byFingerprint(long fingerprint) {
      return byFingerprint.get(fingerprint);
    }

    @Override
    public synchronized void remember(long fingerprint, Schema schema) {
      byFingerprint.put(fingerprint, schema);
    }

    /** The fingerprint of {@code schema}, computed once per schema instance. */
    long fingerprintOf(Schema schema) {
      if (fingerprints.size() > capacity) {
        fingerprints.clear();
      }
      return fingerprints.computeIfAbsent(schema, RecordSchemas::fingerprint);
    }
  }
}
