package dev.weft.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.function.FunctionRegistry;
import dev.weft.function.TaskContext;
import dev.weft.graph.GraphValidationException;
import dev.weft.graph.codec.GraphCodec;
import dev.weft.graph.codec.GraphJson;
import dev.weft.template.RecordTemplate.Field;
import dev.weft.template.RecordTemplate.Outcome;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecordTemplateTest {
  private static final String PARSE_AND_SHOUT = """
      {"outputs": ["shout", "id"],
       "tasks": {
         "order": ["parse-json", {"record": "value"}],
         "name": ["getitem", {"ref": "order"}, "name"],
         "shout": ["concat", {"ref": "name"}, "@", {"record": "topic"}],
         "id": ["getitem", {"ref": "order"}, "id"]}}""";
  private static final TaskContext CONTEXT = new TaskContext("sync", Long.MAX_VALUE);

  @Test
  void aRecordsFieldsAreBoundAndItsTasksRunFusedInOneCall() {
    RecordTemplate template = RecordTemplate.compile(GraphJson.read(PARSE_AND_SHOUT), FunctionRegistry.global());
    assertEquals(Set.of(Field.VALUE, Field.TOPIC), template.fields());
    assertEquals(List.of("shout", "id"), template.outputs());
    Outcome outcome = template.apply(Map.of(Field.VALUE, "{\"id\": 7, \"name\": \"ada\"}", Field.TOPIC, "orders"),
        CONTEXT);
    assertEquals(Map.of("shout", "ada@orders", "id", 7), outcome.outputs());
  }

  @Test
  void aFailingRecordNamesItsTaskAndLeavesTheOthersOfItsBatchAlone() throws Exception {
    ByteBuffer encoded = ByteBuffer.wrap(new GraphCodec().encode(GraphJson.read(PARSE_AND_SHOUT)));
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(getClass().getClassLoader());
    List<?> answers = (List<?>) CONTEXT.call(args -> registry.require(TemplateFunctions.MAP_TEMPLATE).apply(args),
        new Object[] {encoded, List.of(
            Map.of("value", "{\"id\": 1, \"name\": \"a\"}", "topic", "t"),
            Map.of("value", "{\"id\": 2}", "topic", "t"),
            Map.of("value", "not json", "topic", "t"),
            Map.of("value", "{\"id\": 4, \"name\": \"d\"}", "topic", "t"))});
    assertEquals(List.of("a@t", 1), answers.get(0));
    assertEquals("name", ((Map<?, ?>) answers.get(1)).get("task"));
    assertEquals("order", ((Map<?, ?>) answers.get(2)).get("task"));
    assertTrue(((Map<?, ?>) answers.get(2)).get("message").toString().contains("not JSON"));
    assertEquals(List.of("d@t", 4), answers.get(3));
  }

  @Test
  void aTasksRetriesAreTriedInPlace() {
    AtomicInteger calls = new AtomicInteger();
    FunctionRegistry registry = FunctionRegistry.fromClassLoader(getClass().getClassLoader())
        .register("flaky", args -> {
          if (calls.incrementAndGet() < 3) {
            throw new IllegalStateException("not yet");
          }
          return args[0];
        });
    RecordTemplate template = RecordTemplate.compile(GraphJson.read("""
        {"tasks": {"out": {"function": "flaky", "args": [{"record": "key"}], "retries": 2}}}"""), registry);
    assertEquals(Map.of("out", "k"), template.apply(Map.of(Field.KEY, "k"), CONTEXT).outputs());
    assertEquals(3, calls.get());
  }

  @Test
  void everyProblemOfATemplateIsNamed() {
    GraphValidationException refused = assertThrows(GraphValidationException.class, () -> RecordTemplate.compile(
        GraphJson.read("""
            {"tasks": {"a": ["getitem", {"record": "body"}, "x"], "b": ["no-such-function", {"ref": "a"}],
                       "record.value": ["identity", 1], "c": ["inc", {"ref": "missing"}]}}"""),
        FunctionRegistry.global()));
    String message = refused.getMessage();
    assertTrue(message.contains("'record.body', which is not a field of a record"), message);
    assertTrue(message.contains("no-such-function"), message);
    assertTrue(message.contains("keys starting with 'record.' stand for the record's fields"), message);
    assertTrue(message.contains("missing key 'missing'"), message);
  }

  @Test
  void aTemplateThatIgnoresTheRecordIsRefused() {
    GraphValidationException refused = assertThrows(GraphValidationException.class,
        () -> RecordTemplate.compile(GraphJson.read("{\"tasks\": {\"a\": [\"inc\", 1]}}"), null));
    assertTrue(refused.getMessage().contains("no task of the template refers to the record"), refused.getMessage());
  }
}
