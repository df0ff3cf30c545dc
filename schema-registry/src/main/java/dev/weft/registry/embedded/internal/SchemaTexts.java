package dev.weft.registry.embedded.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The text forms of an Avro schema that the registry stores and compares.
 *
 * <p>The canonical form is Avro's own rendering ({@link Schema#toString()}): whitespace and the order of Avro's own
 * attributes never matter, as in Confluent's registry. The normalized form ({@code ?normalize=true}) also orders every
 * JSON object's keys, so custom properties written in another order compare equal too.
 */
public final class SchemaTexts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaTexts() {}

  /**
   * Parses a schema submitted to the registry.
   *
   * @throws RestError 42201 naming what is wrong
   */
  public static Schema parse(String text) {
    if (text == null || text.isBlank()) {
      throw RestError.invalidSchema("empty schema");
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (RuntimeException e) {
      // SchemaParseException for most mistakes, AvroTypeException for a bad default, others for odd JSON.
      throw RestError.invalidSchema(e.getMessage());
    }
  }

  public static String canonical(Schema schema) {
    return schema.toString();
  }

  public static String normalized(Schema schema) {
    try {
      return JSON.writeValueAsString(sorted(JSON.readTree(schema.toString())));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Avro wrote a schema that is not JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode result = JSON.createObjectNode();
      names.forEach(name -> result.set(name, sorted(node.get(name))));
      return result;
    }
    if (node.isArray()) {
      ArrayNode result = JSON.createArrayNode();
      node.forEach(item -> result.add(sorted(item)));
      return result;
    }
    return node;
  }
}
