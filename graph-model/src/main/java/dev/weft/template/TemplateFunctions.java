package dev.weft.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.function.Fn1;
import dev.weft.function.Fn2;
import dev.weft.function.FunctionModule;
import dev.weft.function.FunctionRegistry;
import dev.weft.function.Signature;
import dev.weft.function.TaskContext;
import dev.weft.function.ValueType;
import dev.weft.graph.codec.GraphCodec;
import dev.weft.template.RecordTemplate.Field;
import dev.weft.template.RecordTemplate.Outcome;
import dev.weft.value.Values;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Functions for records of streams: {@value #MAP_TEMPLATE}, which runs a {@link RecordTemplate} over a batch of
 * records in one task, and {@code parse-json} / {@code to-json} for JSON values.
 *
 * <p>A batch's answer is a list with one item per record, in order: the record's outputs as a list (in the template's
 * output order), or, when the record failed, a map with {@code task}, {@code type} and {@code message}.
 */
public final class TemplateFunctions implements FunctionModule {
  /** {@code (template, records)}: the template encoded by {@link GraphCodec}, a list of records as field maps. */
  public static final String MAP_TEMPLATE = "weft.template.map";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CACHED_TEMPLATES = 32;

  /** Compiled templates by their encoding: every batch of a job carries the same bytes. */
  private final Map<ByteBuffer, RecordTemplate> compiled = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ByteBuffer, RecordTemplate> eldest) {
      return size() > CACHED_TEMPLATES;
    }
  };

  @Override
  public String name() {
    return "records";
  }

  @Override
  public void register(FunctionRegistry registry) {
    registry.register(Fn2.of(MAP_TEMPLATE, Signature.of(ValueType.LIST, ValueType.BYTES, ValueType.LIST),
        (Object template, Object records) -> mapTemplate(registry, (ByteBuffer) template, (List<?>) records)));
    registry.register(Fn1.of("parse-json", Signature.of(ValueType.ANY, ValueType.STRING),
        (Object text) -> parseJson((String) text)));
    registry.register(Fn1.of("to-json", Signature.of(ValueType.STRING, ValueType.ANY),
        TemplateFunctions::toJson));
  }

  private List<Object> mapTemplate(FunctionRegistry registry, ByteBuffer encoded, List<?> records) {
    RecordTemplate template = template(registry, encoded);
    TaskContext current = TaskContext.current();
    TaskContext context = current != null ? current : new TaskContext("sync", Long.MAX_VALUE);
    List<Object> answers = new ArrayList<>(records.size());
    Map<Field, Object> fields = new EnumMap<>(Field.class);
    for (Object record : records) {
      fields.clear();
      Map<?, ?> given = (Map<?, ?>) record;
      for (Field field : template.fields()) {
        fields.put(field, given.get(field.fieldName()));
      }
      Outcome outcome = template.apply(fields, context);
      if (outcome.failed()) {
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("task", outcome.failedTask());
        failure.put("type", outcome.error().getClass().getName());
        failure.put("message", String.valueOf(outcome.error().getMessage()));
        answers.add(failure);
      } else {
        answers.add(new ArrayList<>(outcome.outputs().values()));
      }
    }
    return answers;
  }

  private RecordTemplate template(FunctionRegistry registry, ByteBuffer encoded) {
    synchronized (compiled) {
      RecordTemplate template = compiled.get(encoded);
      if (template == null) {
        template = RecordTemplate.compile(new GraphCodec().decode(encoded.duplicate()), registry);
        compiled.put(encoded.duplicate(), template);
      }
      return template;
    }
  }

  private static Object parseJson(String text) {
    try {
      return Values.canonical(JSON.readValue(text, Object.class), "parse-json");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("parse-json: not JSON: " + e.getOriginalMessage());
    }
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("to-json: " + e.getOriginalMessage());
    }
  }
}
