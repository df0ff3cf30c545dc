package dev.weft.broker.protocol;

import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.CompatibilityResult;
import dev.weft.registry.RegisteredSchema;
import dev.weft.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The two calls Weft's wire codec makes of a schema registry (register, and read by id), in memory: for unit tests of
 * one class that must not need a registry server. Tests of the registry itself, and every end-to-end test, use the
 * real HTTP API.
 */
public final class MemorySchemaRegistry implements SchemaRegistryClient {
  private final List<Schema> schemas = new ArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();

  @Override
  public synchronized int register(String subject, Schema schema, boolean normalize) {
    return ids.computeIfAbsent(schema.toString(), text -> {
      schemas.add(schema);
      return schemas.size();
    });
  }

  @Override
  public synchronized Schema schemaById(int id) {
    return schemas.get(id - 1);
  }

  @Override
  public RegisteredSchema lookup(String subject, Schema schema, boolean normalize) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public List<String> subjects() {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public List<Integer> versions(String subject) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public RegisteredSchema version(String subject, int version) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public RegisteredSchema latest(String subject) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public CompatibilityResult testCompatibility(String subject, String version, Schema schema, boolean verbose) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public CompatibilityLevel compatibility() {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public CompatibilityLevel compatibility(String subject) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public CompatibilityLevel setCompatibility(CompatibilityLevel level) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public List<Integer> deleteSubject(String subject, boolean permanent) {
    throw new UnsupportedOperationException("not used by the wire codec");
  }

  @Override
  public void close() {}
}
