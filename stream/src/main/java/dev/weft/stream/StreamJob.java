package dev.weft.stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.function.FunctionCatalog;
import dev.weft.graph.Graph;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.GraphValidationException.Kind;
import dev.weft.graph.GraphValidationException.Problem;
import dev.weft.graph.codec.GraphJson;
import dev.weft.template.RecordTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stream job: a {@link RecordTemplate} run for every record of its input topics, each of the template's outputs
 * written to a topic.
 *
 * <p>The unit of work on the wire is a batch: up to {@code maxBatchRecords} records of one input partition, or what
 * arrived in {@code maxBatchWaitMs}, run as one task (the whole template, fused, once per record) on a worker of
 * {@code pool}. At most {@code maxBatchesInFlight} batches of a partition are out at once; beyond that the partition
 * is paused, so a slow job shows as consumer lag, not memory.
 *
 * <p>An output record has the input's key, its timestamp, a header {@code weft.output} naming the output, and goes to
 * the output topic's partition of the input's number (modulo the output's partitions), so outputs of one input
 * partition keep their order.
 *
 * @param name letters, digits, '.', '_', '-': names the job's consumer group and transactions
 * @param template the graph run on each record
 * @param inputs the topics read, with their formats
 * @param outputs for each output key of the template that is written, where
 * @param deadLetters the topic of records that could not be decoded or whose template failed
 * @param pool the worker pool that runs the batches, or null for the default pool
 * @param guarantee exactly once (transactions) or at least once
 * @param state running or paused
 */
public record StreamJob(String name, Graph template, List<Input> inputs, Map<String, Output> outputs,
    String deadLetters, String pool, int maxBatchRecords, long maxBatchWaitMs, int maxBatchesInFlight,
    Guarantee guarantee, JobState state) {

  public static final int DEFAULT_MAX_BATCH_RECORDS = 500;
  public static final long DEFAULT_MAX_BATCH_WAIT_MS = 5;
  public static final int DEFAULT_MAX_BATCHES_IN_FLIGHT = 4;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** An input topic: how its keys and values are decoded. */
  public record Input(String topic, Format keyFormat, Format valueFormat) {
    public Input {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(keyFormat, "keyFormat");
      Objects.requireNonNull(valueFormat, "valueFormat");
    }
  }

  /** An output topic and how values are encoded there. */
  public record Output(String topic, Format format) {
    public Output {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(format, "format");
    }
  }

  public StreamJob {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(template, "template");
    inputs = List.copyOf(inputs);
    outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs)); // in the order given
    Objects.requireNonNull(guarantee, "guarantee");
    Objects.requireNonNull(state, "state");
    if (deadLetters == null) {
      deadLetters = name + ".dead-letters";
    }
  }

  /** A running, exactly-once job with the default batching, reading JSON values with string keys. */
  public static StreamJob of(String name, Graph template, String inputTopic, Map<String, String> outputTopics) {
    Map<String, Output> outputs = new LinkedHashMap<>();
    outputTopics.forEach((key, topic) -> outputs.put(key, new Output(topic, Format.AVRO)));
    return new StreamJob(name, template, List.of(new Input(inputTopic, Format.STRING, Format.JSON)), outputs, null,
        null, DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_BATCH_WAIT_MS, DEFAULT_MAX_BATCHES_IN_FLIGHT,
        Guarantee.EXACTLY_ONCE, JobState.RUNNING);
  }

  public StreamJob withState(JobState newState) {
    return new StreamJob(name, template, inputs, outputs, deadLetters, pool, maxBatchRecords, maxBatchWaitMs,
        maxBatchesInFlight, guarantee, newState);
  }

  public StreamJob withBatching(int records, long waitMs, int inFlight) {
    return new StreamJob(name, template, inputs, outputs, deadLetters, pool, records, waitMs, inFlight, guarantee,
        state);
  }

  public StreamJob withGuarantee(Guarantee newGuarantee) {
    return new StreamJob(name, template, inputs, outputs, deadLetters, pool, maxBatchRecords, maxBatchWaitMs,
        maxBatchesInFlight, newGuarantee, state);
  }

  public StreamJob withInputs(List<Input> newInputs) {
    return new StreamJob(name, template, newInputs, outputs, deadLetters, pool, maxBatchRecords, maxBatchWaitMs,
        maxBatchesInFlight, guarantee, state);
  }

  public StreamJob withOutputs(Map<String, Output> newOutputs) {
    return new StreamJob(name, template, inputs, newOutputs, deadLetters, pool, maxBatchRecords, maxBatchWaitMs,
        maxBatchesInFlight, guarantee, state);
  }

  public StreamJob withDeadLetters(String topic) {
    return new StreamJob(name, template, inputs, outputs, topic, pool, maxBatchRecords, maxBatchWaitMs,
        maxBatchesInFlight, guarantee, state);
  }

  public StreamJob withPool(String newPool) {
    return new StreamJob(name, template, inputs, outputs, deadLetters, newPool, maxBatchRecords, maxBatchWaitMs,
        maxBatchesInFlight, guarantee, state);
  }

  /**
   * Checks the whole job and compiles its template.
   *
   * @param functions checks the template's function names; null checks only its form
   * @throws GraphValidationException naming every problem: of the template, of names and settings, and each output
   *     that is not a key of the template
   */
  public RecordTemplate validate(FunctionCatalog functions) {
    List<Problem> problems = new ArrayList<>();
    if (!name.matches("[A-Za-z0-9._-]+")) {
      problems.add(problem("job name '" + name + "' may hold only letters, digits, '.', '_', '-'"));
    }
    if (inputs.isEmpty()) {
      problems.add(problem("the job reads no input topic"));
    }
    if (outputs.isEmpty()) {
      problems.add(problem("the job writes no output: map at least one output key of the template to a topic"));
    }
    if (maxBatchRecords < 1 || maxBatchWaitMs < 0 || maxBatchesInFlight < 1) {
      problems.add(problem("batching needs maxRecords >= 1, maxWaitMs >= 0, inFlight >= 1; got " + maxBatchRecords
          + ", " + maxBatchWaitMs + ", " + maxBatchesInFlight));
    }
    for (Input input : inputs) {
      if (outputs.values().stream().anyMatch(output -> output.topic().equals(input.topic()))
          || input.topic().equals(deadLetters)) {
        problems.add(problem("topic '" + input.topic() + "' is both read and written by the job"));
      }
    }
    for (String key : outputs.keySet()) {
      if (!template.contains(key)) {
        problems.add(new Problem(Kind.UNKNOWN_OUTPUT, List.of(key), "output '" + key
            + "' is not a key of the template (its keys: " + template.asMap().keySet() + ")"));
      }
    }
    RecordTemplate compiled = null;
    try {
      // The template's outputs are what the job writes: a key the job does not write is not computed.
      boolean outputsKnown = outputs.keySet().stream().allMatch(template::contains) && !outputs.isEmpty();
      compiled = RecordTemplate.compile(outputsKnown ? template.withOutputs(List.copyOf(outputs.keySet())) : template,
          functions);
    } catch (GraphValidationException e) {
      problems.addAll(0, e.problems());
    }
    if (!problems.isEmpty()) {
      throw new GraphValidationException(problems);
    }
    return compiled;
  }

  private static Problem problem(String message) {
    return new Problem(Kind.INVALID_TEMPLATE, List.of(), message);
  }

  /** The job as JSON, the form of job files and of its record in the jobs topic. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("name", name);
    root.put("state", state.jsonName());
    root.put("guarantee", guarantee.jsonName());
    var inputNodes = root.putArray("inputs");
    for (Input input : inputs) {
      inputNodes.addObject().put("topic", input.topic()).put("keyFormat", input.keyFormat().jsonName())
          .put("format", input.valueFormat().jsonName());
    }
    ObjectNode outputNodes = root.putObject("outputs");
    outputs.forEach((key, output) -> outputNodes.putObject(key).put("topic", output.topic())
        .put("format", output.format().jsonName()));
    root.put("deadLetters", deadLetters);
    if (pool != null) {
      root.put("pool", pool);
    }
    root.putObject("batch").put("maxRecords", maxBatchRecords).put("maxWaitMs", maxBatchWaitMs)
        .put("inFlight", maxBatchesInFlight);
    try {
      root.set("template", MAPPER.readTree(GraphJson.write(template)));
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a job file.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  public static StreamJob fromJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a stream job must be JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("a stream job must be a JSON object");
    }
    String name = text(root, "name", null);
    if (name == null) {
      throw new IllegalArgumentException("the job has no \"name\"");
    }
    JsonNode templateNode = root.get("template");
    if (templateNode == null || !templateNode.isObject()) {
      throw new IllegalArgumentException("job '" + name + "' has no \"template\" object (a graph in graph JSON)");
    }
    Graph template = GraphJson.read(templateNode.toString());
    List<Input> inputs = new ArrayList<>();
    JsonNode inputNodes = root.get("inputs");
    if (inputNodes == null || !inputNodes.isArray()) {
      throw new IllegalArgumentException("job '" + name + "' needs \"inputs\", a list of {\"topic\": ..., "
          + "\"format\": ...}");
    }
    for (JsonNode input : inputNodes) {
      if (input.isTextual()) {
        inputs.add(new Input(input.asText(), Format.STRING, Format.JSON));
      } else {
        String topic = text(input, "topic", null);
        if (topic == null) {
          throw new IllegalArgumentException("job '" + name + "': an input has no \"topic\"");
        }
        inputs.add(new Input(topic, Format.named(text(input, "keyFormat", "string")),
            Format.named(text(input, "format", "json"))));
      }
    }
    Map<String, Output> outputs = new LinkedHashMap<>();
    JsonNode outputNodes = root.get("outputs");
    if (outputNodes == null || !outputNodes.isObject()) {
      throw new IllegalArgumentException("job '" + name + "' needs \"outputs\", an object mapping output keys of the "
          + "template to {\"topic\": ..., \"format\": ...}");
    }
    for (Map.Entry<String, JsonNode> entry : outputNodes.properties()) {
      JsonNode output = entry.getValue();
      if (output.isTextual()) {
        outputs.put(entry.getKey(), new Output(output.asText(), Format.AVRO));
      } else {
        String topic = text(output, "topic", null);
        if (topic == null) {
          throw new IllegalArgumentException("job '" + name + "': output '" + entry.getKey() + "' has no \"topic\"");
        }
        outputs.put(entry.getKey(), new Output(topic, Format.named(text(output, "format", "avro"))));
      }
    }
    JsonNode batch = root.path("batch");
    return new StreamJob(name, template, inputs, outputs, text(root, "deadLetters", null), text(root, "pool", null),
        batch.path("maxRecords").asInt(DEFAULT_MAX_BATCH_RECORDS),
        batch.path("maxWaitMs").asLong(DEFAULT_MAX_BATCH_WAIT_MS),
        batch.path("inFlight").asInt(DEFAULT_MAX_BATCHES_IN_FLIGHT),
        Guarantee.named(text(root, "guarantee", "exactly_once")), JobState.named(text(root, "state", "running")));
  }

  private static String text(JsonNode node, String field, String otherwise) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string, found " + value);
    }
    return value.asText();
  }
}
