package dev.weft.graph.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.graph.Arg;
import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import dev.weft.template.RecordTemplate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * The readable JSON form of a graph, for graph files. Tasks are written as Dask writes them, a key mapped to a function
 * and its arguments; annotations use the long form:
 *
 * <pre>{@code
 * {
 *   "outputs": ["total"],
 *   "tasks": {
 *     "a": ["inc", 1],
 *     "b": ["add", {"ref": "a"}, 10],
 *     "total": {"function": "sum", "args": [[{"ref": "a"}, {"ref": "b"}]], "priority": 1, "retries": 2}
 *   }
 * }
 * }</pre>
 *
 * <p>Arguments: JSON null, booleans and strings are themselves; integers are longs and numbers with a fraction are
 * doubles; an array is a list (of arguments, when it holds a reference). Objects tag everything else:
 * {@code {"ref": "key"}}, {@code {"int": 1}}, {@code {"float": 1.5}}, {@code {"double": "NaN"}},
 * {@code {"bytes": "base64"}}, {@code {"map": {...}}} and {@code {"record": {"schema": ..., "value": ...}}} (the record
 * in Avro's JSON encoding). In a {@link dev.weft.template.RecordTemplate}, {@code {"record": "value"}} is the value
 * of the record the template runs on (any of its fields: key, value, headers, timestamp, topic, partition, offset),
 * the same as {@code {"ref": "record.value"}}. Writing then reading a graph gives an equal graph. Duplicate keys are
 * refused.
 */
public final class GraphJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GraphJson() {}

  public static String write(Graph graph) {
    try {
      return MAPPER.writeValueAsString(toJson(graph));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void write(Graph graph, Path file) throws IOException {
    Files.writeString(file, write(graph));
  }

  /**
   * Reads a graph.
   *
   * @throws GraphFormatException naming the task and argument that is wrong
   */
  public static Graph read(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new GraphFormatException("not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr()), e);
    }
    return fromJson(root);
  }

  public static Graph read(Path file) throws IOException {
    return read(Files.readString(file));
  }

  static ObjectNode toJson(Graph graph) {
    ObjectNode root = NODES.objectNode();
    if (graph.id() != null) {
      root.put("id", graph.id());
    }
    if (!graph.declaredOutputs().isEmpty()) {
      ArrayNode outputs = root.putArray("outputs");
      graph.declaredOutputs().forEach(outputs::add);
    }
    ObjectNode tasks = root.putObject("tasks");
    for (Task task : graph.tasks()) {
      boolean annotated = task.priority() != 0 || task.retries() != 0 || task.pool() != null
          || !task.resources().isEmpty();
      if (!annotated) {
        ArrayNode compact = tasks.putArray(task.key());
        compact.add(task.function());
        task.args().forEach(arg -> compact.add(argument(arg)));
        continue;
      }
      ObjectNode full = tasks.putObject(task.key());
      full.put("function", task.function());
      ArrayNode args = full.putArray("args");
      task.args().forEach(arg -> args.add(argument(arg)));
      if (task.priority() != 0) {
        full.put("priority", task.priority());
      }
      if (task.retries() != 0) {
        full.put("retries", task.retries());
      }
      if (task.pool() != null) {
        full.put("pool", task.pool());
      }
      if (!task.resources().isEmpty()) {
        ObjectNode resources = full.putObject("resources");
        task.resources().forEach(resources::put);
      }
    }
    return root;
  }

  private static JsonNode argument(Arg arg) {
    if (arg instanceof Arg.Ref) {
      return NODES.objectNode().put("ref", ((Arg.Ref) arg).key());
    }
    if (arg instanceof Arg.ListArg) {
      ArrayNode items = NODES.arrayNode();
      ((Arg.ListArg) arg).items().forEach(item -> items.add(argument(item)));
      return items;
    }
    return literal(((Arg.Literal) arg).value());
  }

  private static JsonNode literal(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String) {
      return NODES.textNode((String) value);
    }
    if (value instanceof Boolean) {
      return NODES.booleanNode((Boolean) value);
    }
    if (value instanceof Long) {
      return NODES.numberNode((Long) value);
    }
    if (value instanceof Double) {
      double d = (Double) value;
      return Double.isFinite(d) ? NODES.numberNode(d) : NODES.objectNode().put("double", Double.toString(d));
    }
    if (value instanceof Integer) {
      return NODES.objectNode().put("int", (Integer) value);
    }
    if (value instanceof Float) {
      float f = (Float) value;
      return Float.isFinite(f) ? NODES.objectNode().put("float", f) : NODES.objectNode().put("float", Float.toString(f));
    }
    if (value instanceof ByteBuffer) {
      return bytes((ByteBuffer) value);
    }
    if (value instanceof List) {
      ArrayNode items = NODES.arrayNode();
      ((List<?>) value).forEach(item -> items.add(literal(item)));
      return items;
    }
    if (value instanceof Map) {
      ObjectNode entries = NODES.objectNode();
      ((Map<?, ?>) value).forEach((key, item) -> entries.set((String) key, literal(item)));
      return NODES.objectNode().set("map", entries);
    }
    if (value instanceof IndexedRecord) {
      return record((IndexedRecord) value);
    }
    throw new IllegalArgumentException("a " + value.getClass().getName() + " is not a Weft value");
  }

  /**
   * A value as plain JSON, for people and tools such as {@code jq}: numbers, strings, booleans, null, lists as arrays
   * and maps as objects (not tagged, as a graph's literals are). What JSON has no plain form for is an object of one
   * tagged field, as in graph files: {@code {"bytes": "<base64>"}}, {@code {"double": "NaN"}} (and the infinities); an
   * Avro record is tagged with its schema as in graph files. Any other object is its {@code toString()}.
   */
  public static JsonNode plain(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Float) {
      return literal(((Float) value).doubleValue());
    }
    if (value instanceof List) {
      ArrayNode items = NODES.arrayNode();
      ((List<?>) value).forEach(item -> items.add(plain(item)));
      return items;
    }
    if (value instanceof Map) {
      ObjectNode entries = NODES.objectNode();
      ((Map<?, ?>) value).forEach((key, item) -> entries.set(String.valueOf(key), plain(item)));
      return entries;
    }
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Double
        || value instanceof ByteBuffer || value instanceof IndexedRecord) {
      return literal(value);
    }
    return NODES.textNode(String.valueOf(value)); // an in-process scheduler may return any object
  }

  private static JsonNode bytes(ByteBuffer value) {
    ByteBuffer bytes = value.duplicate();
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    return NODES.objectNode().put("bytes", Base64.getEncoder().encodeToString(copy));
  }

  private static JsonNode record(IndexedRecord record) {
    Schema schema = record.getSchema();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out);
      new GenericDatumWriter<IndexedRecord>(schema).write(record, encoder);
      encoder.flush();
      ObjectNode tagged = NODES.objectNode();
      tagged.putObject("record")
          .<ObjectNode>set("schema", MAPPER.readTree(schema.toString()))
          .set("value", MAPPER.readTree(out.toString(StandardCharsets.UTF_8)));
      return tagged;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Graph fromJson(JsonNode root) {
    if (!root.isObject()) {
      throw new GraphFormatException("a graph file holds a JSON object with \"tasks\", not a " + root.getNodeType());
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!List.of("id", "outputs", "tasks").contains(name)) {
        throw new GraphFormatException("unknown field \"" + name + "\" in the graph (known: id, outputs, tasks)");
      }
    }
    JsonNode tasksNode = root.get("tasks");
    if (tasksNode == null || !tasksNode.isObject()) {
      throw new GraphFormatException("the graph needs \"tasks\": an object mapping each key to its task");
    }
    List<Task> tasks = new ArrayList<>(tasksNode.size());
    for (Iterator<Map.Entry<String, JsonNode>> fields = tasksNode.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      tasks.add(task(field.getKey(), field.getValue()));
    }
    List<String> outputs = new ArrayList<>();
    JsonNode outputsNode = root.get("outputs");
    if (outputsNode != null) {
      if (!outputsNode.isArray()) {
        throw new GraphFormatException("\"outputs\" must be an array of keys");
      }
      outputsNode.forEach(key -> {
        if (!key.isTextual()) {
          throw new GraphFormatException("\"outputs\" must hold keys (strings), found " + key);
        }
        outputs.add(key.asText());
      });
    }
    JsonNode id = root.get("id");
    return Graph.of(id == null || id.isNull() ? null : id.asText(), tasks, outputs);
  }

  private static Task task(String key, JsonNode node) {
    if (node.isArray()) {
      if (node.isEmpty() || !node.get(0).isTextual()) {
        throw new GraphFormatException("task '" + key + "': the short form is [\"function\", args...]");
      }
      List<Arg> args = new ArrayList<>();
      for (int i = 1; i < node.size(); i++) {
        args.add(argument(node.get(i), key, "argument " + (i - 1)));
      }
      return new Task(key, node.get(0).asText(), args, 0, 0, null, Map.of());
    }
    if (!node.isObject()) {
      throw new GraphFormatException("task '" + key + "' must be [\"function\", args...] or {\"function\": ...}");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!List.of("function", "args", "priority", "retries", "pool", "resources").contains(name)) {
        throw new GraphFormatException("task '" + key + "': unknown field \"" + name
            + "\" (known: function, args, priority, retries, pool, resources)");
      }
    }
    JsonNode function = node.get("function");
    if (function == null || !function.isTextual()) {
      throw new GraphFormatException("task '" + key + "' needs \"function\": a function name");
    }
    List<Arg> args = new ArrayList<>();
    JsonNode argsNode = node.get("args");
    if (argsNode != null) {
      if (!argsNode.isArray()) {
        throw new GraphFormatException("task '" + key + "': \"args\" must be an array");
      }
      for (int i = 0; i < argsNode.size(); i++) {
        args.add(argument(argsNode.get(i), key, "argument " + i));
      }
    }
    Map<String, Double> resources = new LinkedHashMap<>();
    JsonNode resourcesNode = node.get("resources");
    if (resourcesNode != null) {
      resourcesNode.fields().forEachRemaining(entry -> {
        if (!entry.getValue().isNumber()) {
          throw new GraphFormatException("task '" + key + "': resource \"" + entry.getKey() + "\" must be a number");
        }
        resources.put(entry.getKey(), entry.getValue().asDouble());
      });
    }
    JsonNode pool = node.get("pool");
    return new Task(key, function.asText(), args, integer(node, "priority", key), integer(node, "retries", key),
        pool == null || pool.isNull() ? null : pool.asText(), resources);
  }

  private static int integer(JsonNode task, String field, String key) {
    JsonNode node = task.get(field);
    if (node == null) {
      return 0;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new GraphFormatException("task '" + key + "': \"" + field + "\" must be an integer, found " + node);
    }
    return node.asInt();
  }

  private static Arg argument(JsonNode node, String key, String where) {
    if (node.isObject() && node.size() == 1 && node.has("ref")) {
      JsonNode ref = node.get("ref");
      if (!ref.isTextual()) {
        throw new GraphFormatException("task '" + key + "', " + where + ": \"ref\" must name a key");
      }
      return Arg.ref(ref.asText());
    }
    if (isRecordField(node)) {
      return Arg.ref(RecordTemplate.RECORD_PREFIX + node.get("record").asText());
    }
    if (node.isArray() && holdsRef(node)) {
      List<Arg> items = new ArrayList<>(node.size());
      for (int i = 0; i < node.size(); i++) {
        items.add(argument(node.get(i), key, where + "[" + i + "]"));
      }
      return new Arg.ListArg(items);
    }
    return new Arg.Literal(value(node, key, where));
  }

  /** {@code {"record": "value"}}: a field of the record a template runs on (a record literal's tag holds an object). */
  private static boolean isRecordField(JsonNode node) {
    return node.isObject() && node.size() == 1 && node.has("record") && node.get("record").isTextual();
  }

  private static boolean holdsRef(JsonNode node) {
    if (node.isObject()) {
      return node.size() == 1 && node.has("ref") || isRecordField(node);
    }
    if (node.isArray()) {
      for (JsonNode item : node) {
        if (holdsRef(item)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Object value(JsonNode node, String key, String where) {
    switch (node.getNodeType()) {
      case NULL:
        return null;
      case BOOLEAN:
        return node.booleanValue();
      case STRING:
        return node.textValue();
      case NUMBER:
        if (node.isIntegralNumber()) {
          if (!node.canConvertToLong()) {
            throw new GraphFormatException("task '" + key + "', " + where + ": integer " + node
                + " does not fit a long");
          }
          return node.longValue();
        }
        return node.doubleValue();
      case ARRAY:
        List<Object> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
          items.add(value(node.get(i), key, where + "[" + i + "]"));
        }
        return items;
      case OBJECT:
        return tagged(node, key, where);
      default:
        throw new GraphFormatException("task '" + key + "', " + where + ": unsupported JSON " + node.getNodeType());
    }
  }

  private static Object tagged(JsonNode node, String key, String where) {
    String at = "task '" + key + "', " + where + ": ";
    if (node.size() != 1) {
      throw new GraphFormatException(at + "an object argument must have exactly one of ref, int, float, double, "
          + "bytes, map, record; found " + node);
    }
    String tag = node.fieldNames().next();
    JsonNode inner = node.get(tag);
    switch (tag) {
      case "ref":
        throw new GraphFormatException(at + "a reference cannot appear inside a map or record literal");
      case "record":
        if (inner.isTextual()) {
          throw new GraphFormatException(at + "a record field cannot appear inside a map or record literal");
        }
        return record(inner, at);
      case "int":
        if (!inner.isIntegralNumber() || !inner.canConvertToInt()) {
          throw new GraphFormatException(at + "{\"int\": ...} needs a 32-bit integer, found " + inner);
        }
        return inner.intValue();
      case "float":
        return inner.isTextual() ? Float.parseFloat(inner.asText()) : inner.floatValue();
      case "double":
        if (inner.isTextual()) {
          try {
            return Double.parseDouble(inner.asText());
          } catch (NumberFormatException e) {
            throw new GraphFormatException(at + "{\"double\": ...} needs a number, NaN or Infinity, found " + inner);
          }
        }
        return inner.doubleValue();
      case "bytes":
        try {
          return ByteBuffer.wrap(Base64.getDecoder().decode(inner.asText()));
        } catch (IllegalArgumentException e) {
          throw new GraphFormatException(at + "{\"bytes\": ...} needs base64: " + e.getMessage());
        }
      case "map":
        if (!inner.isObject()) {
          throw new GraphFormatException(at + "{\"map\": ...} needs an object");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        inner.fields().forEachRemaining(e -> map.put(e.getKey(), value(e.getValue(), key, where + "." + e.getKey())));
        return map;
      default:
        throw new GraphFormatException(at + "unknown tag \"" + tag + "\" (known: ref, int, float, double, bytes, map, "
            + "record)");
    }
  }

  private static IndexedRecord record(JsonNode node, String at) {
    JsonNode schemaNode = node.get("schema");
    JsonNode valueNode = node.get("value");
    if (schemaNode == null || valueNode == null) {
      throw new GraphFormatException(at + "{\"record\": ...} needs \"schema\" and \"value\"");
    }
    try {
      Schema schema = new Schema.Parser().parse(schemaNode.toString());
      Object datum = new GenericDatumReader<>(schema, schema, GenericData.get())
          .read(null, DecoderFactory.get().jsonDecoder(schema, valueNode.toString()));
      if (!(datum instanceof IndexedRecord)) {
        throw new GraphFormatException(at + "the schema of a record literal must be a record");
      }
      return (IndexedRecord) datum;
    } catch (IOException | RuntimeException e) {
      if (e instanceof GraphFormatException) {
        throw (GraphFormatException) e;
      }
      throw new GraphFormatException(at + "invalid record literal: " + e.getMessage(), e);
    }
  }
}
