package dev.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.graph.codec.GraphJson;
import java.io.UncheckedIOException;
import java.util.Map;

/** Results as one JSON object of plain values ({@link GraphJson#plain}), indented as {@code jq} indents. */
final class ValueJson {
  private static final ObjectWriter WRITER = new ObjectMapper().writer(new DefaultPrettyPrinter()
      .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

  private ValueJson() {}

  /** {@code values} as one JSON object, keys in order. */
  static String write(Map<String, Object> values) {
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    values.forEach((key, value) -> object.set(key, GraphJson.plain(value)));
    try {
      return WRITER.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
