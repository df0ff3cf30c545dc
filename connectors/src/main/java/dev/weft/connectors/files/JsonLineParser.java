package dev.weft.connectors.files;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses one line of a JSON-lines file into a Weft value: objects become {@link LinkedHashMap}s (in the line's key
 * order; a repeated key keeps its last value), arrays {@link ArrayList}s, integers {@link Long}s, other numbers
 * {@link Double}s, and strings, booleans and null themselves. The values are canonical as they are made
 * ({@link dev.weft.value.Values#canonical}), with no tree in between.
 */
final class JsonLineParser {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonLineParser() {}

  /** Whether the line holds nothing but JSON whitespace: JSON-lines files skip such lines. */
  static boolean isBlank(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
    }
    return true;
  }

  /**
   * The value the line holds.
   *
   * @throws BadLineException if the line is not one JSON value, with Jackson's reason and the column; or if it holds
   *     an integer that does not fit a long (Weft has no larger integer, and a double would change it silently)
   */
  static Object parse(String line) {
    try (JsonParser parser = JSON.createParser(line)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new BadLineException("not JSON: the line holds no value", null);
      }
      Object value = value(parser, first);
      JsonToken after = parser.nextToken();
      if (after != null) {
        throw new BadLineException("not JSON: more than one value on the line (the second starts at column "
            + parser.currentTokenLocation().getColumnNr() + ")", null);
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new BadLineException("not JSON: " + e.getOriginalMessage() + " (column "
          + (e.getLocation() == null ? "?" : String.valueOf(e.getLocation().getColumnNr())) + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail, yet it did", e);
    }
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
          String key = parser.currentName();
          object.put(key, value(parser, parser.nextToken()));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          array.add(value(parser, next));
        }
        return array;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw new BadLineException("the integer " + parser.getText() + " at column "
              + parser.currentTokenLocation().getColumnNr() + " does not fit a long", null);
        }
        return parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new BadLineException("not JSON: unexpected " + token + " at column "
            + parser.currentTokenLocation().getColumnNr(), null);
    }
  }
}
