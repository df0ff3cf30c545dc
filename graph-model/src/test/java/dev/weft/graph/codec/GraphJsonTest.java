package dev.weft.graph.codec;

import static dev.weft.graph.Arg.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.graph.Graph;
import dev.weft.graph.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphJsonTest {

  @Test
  void readsTheDocumentedForm() {
    Graph graph = GraphJson.read("""
        {
          "outputs": ["total"],
          "tasks": {
            "a": ["inc", 1],
            "b": ["add", {"ref": "a"}, 10],
            "total": {"function": "sum", "args": [[{"ref": "a"}, {"ref": "b"}]], "priority": 1, "retries": 2}
          }
        }
        """);
    Graph expected = Graph.builder()
        .task("a", "inc", 1L)
        .task("b", "add", ref("a"), 10L)
        .task(Task.of("total", "sum", List.of(ref("a"), ref("b"))).withPriority(1).withRetries(2))
        .outputs("total")
        .build();
    assertEquals(expected, graph);
  }

  @Test
  void writingThenReadingGivesAnEqualGraph() {
    Graph graph = GraphCodecTest.sample();
    Graph read = GraphJson.read(GraphJson.write(graph));
    assertEquals(graph.size(), read.size());
    for (Task task : graph.tasks()) {
      if (!task.key().equals("c")) {
        assertEquals(task, read.task(task.key()));
      }
    }
    assertEquals(graph.task("c").toString(), read.task("c").toString());
    assertEquals(GraphJson.write(graph), GraphJson.write(read));
  }

  @Test
  void valueTypesSurviveJson() {
    Graph graph = Graph.builder().task("t", "list", 1, 2L, 1.5f, 2.5d, Double.POSITIVE_INFINITY,
        Map.of("k", 1L), List.of("s", true)).build();
    assertEquals(graph, GraphJson.read(GraphJson.write(graph)));
  }

  @Test
  void errorsNameTheTaskAndTheArgument() {
    assertEquals("task 'b', argument 1: unknown tag \"reff\" (known: ref, int, float, double, bytes, map, record)",
        assertThrows(GraphFormatException.class,
            () -> GraphJson.read("{\"tasks\": {\"b\": [\"add\", 1, {\"reff\": \"a\"}]}}")).getMessage());
    assertEquals("task 'b', argument 0: \"ref\" must name a key",
        assertThrows(GraphFormatException.class,
            () -> GraphJson.read("{\"tasks\": {\"b\": [\"inc\", {\"ref\": 3}]}}")).getMessage());
    assertEquals("task 'b': unknown field \"fn\" (known: function, args, priority, retries, pool, resources)",
        assertThrows(GraphFormatException.class,
            () -> GraphJson.read("{\"tasks\": {\"b\": {\"fn\": \"inc\"}}}")).getMessage());
    assertEquals("the graph needs \"tasks\": an object mapping each key to its task",
        assertThrows(GraphFormatException.class, () -> GraphJson.read("{}")).getMessage());
    GraphFormatException duplicate = assertThrows(GraphFormatException.class,
        () -> GraphJson.read("{\"tasks\": {\"a\": [\"inc\", 1], \"a\": [\"inc\", 2]}}"));
    assertTrue(duplicate.getMessage().contains("Duplicate field 'a'"), duplicate.getMessage());
    GraphFormatException broken = assertThrows(GraphFormatException.class, () -> GraphJson.read("{\"tasks\": "));
    assertTrue(broken.getMessage().startsWith("not valid JSON"), broken.getMessage());
  }
}
