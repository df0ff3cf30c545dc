package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir
  Path temp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void capture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void demoRunsOnALocalSchedulerAndChecksItsAnswer() {
    assertEquals(0, Main.run("demo", "--tasks", "5000"));
    assertTrue(out().contains("sum of squares of 0..4999 = 41654167500 (correct)"), out());
    assertTrue(out().contains("5,006 tasks on the threads scheduler"), out());
  }

  @Test
  void runComputesAGraphFile() throws Exception {
    Path file = temp.resolve("g.json");
    Files.writeString(file, "{\"tasks\": {\"a\": [\"inc\", 1], \"b\": [\"add\", {\"ref\": \"a\"}, 10]}}");
    assertEquals(0, Main.run("run", file.toString(), "--scheduler", "sync"));
    assertEquals("{\n  \"b\": 12\n}\n", out());
    out.reset();
    assertEquals(0, Main.run("run", file.toString(), "--keys", "a", "--summary"));
    assertEquals("a = 2\n", out());
  }

  /** Results print as plain JSON values (they printed as list[3] and map[2]); what JSON has no form for is tagged. */
  @Test
  void resultsPrintAsJsonValues() throws Exception {
    Path file = temp.resolve("values.json");
    Files.writeString(file, "{\"tasks\": {\"l\": [\"range\", 3], \"m\": [\"identity\", {\"map\": {\"x\": 1, "
        + "\"y\": [\"two\"]}}], \"s\": [\"upper\", \"q\\\"uote\"], \"inf\": [\"mul\", 1e308, 10.0], "
        + "\"b\": [\"bytes\", 2], \"n\": [\"identity\", null]}}");
    assertEquals(0, Main.run("run", file.toString(), "-s", "sync"));
    JsonNode printed = new ObjectMapper().readTree(out());
    assertEquals(new ObjectMapper().readTree("{\"l\": [0, 1, 2], \"m\": {\"x\": 1, \"y\": [\"two\"]}, "
        + "\"s\": \"Q\\\"UOTE\", \"inf\": {\"double\": \"Infinity\"}, \"b\": {\"bytes\": \"AAA=\"}, \"n\": null}"),
        printed);
  }

  @Test
  void invalidGraphIsOneClearMessage() throws Exception {
    Path file = temp.resolve("bad.json");
    Files.writeString(file, "{\"tasks\": {\"a\": [\"inc\", {\"ref\": \"b\"}], \"b\": [\"inc\", {\"ref\": \"a\"}]}}");
    assertEquals(Main.INVALID_GRAPH, Main.run("validate", file.toString()));
    assertEquals("weft: invalid graph: cycle: a -> b -> a (each task depends on the next)\n", err());
  }

  /**
   * validate and run agree: outputs naming a missing key (validate crashed with an index out of bounds), a cycle the
   * outputs do not need and a graph that is all cycle (run computed the rest, or nothing, with exit 0).
   */
  @Test
  void validateAndRunRefuseTheSameGraphsWithTheSameMessage() throws Exception {
    String cycle = "weft: invalid graph: cycle: a -> b -> a (each task depends on the next)\n";
    Map<String, String> graphs = new java.util.LinkedHashMap<>();
    graphs.put("{\"tasks\": {\"a\": [\"inc\", 1]}, \"outputs\": [\"zz\"]}",
        "weft: invalid graph: requested key 'zz' is not in the graph\n");
    graphs.put("{\"tasks\": {\"a\": [\"inc\", {\"ref\": \"b\"}], \"b\": [\"inc\", {\"ref\": \"a\"}], "
        + "\"c\": [\"inc\", 1]}, \"outputs\": [\"c\"]}", cycle);
    graphs.put("{\"tasks\": {\"a\": [\"inc\", {\"ref\": \"b\"}], \"b\": [\"inc\", {\"ref\": \"a\"}]}}", cycle);
    graphs.put("{\"tasks\": {\"a\": [\"inc\", 1, 2, 3]}}",
        "weft: invalid graph: task 'a' calls inc with 3 arguments; it takes 1 (inc: (number) -> number)\n");
    graphs.put("{\"tasks\": {\"a\": [\"div\", 1, \"x\"]}}", "weft: invalid graph: task 'a' passes the literal 'x' "
        + "(String) to div as argument 2, which must be a number (div: (number, number) -> double)\n");
    Path file = temp.resolve("refused.json");
    for (Map.Entry<String, String> graph : graphs.entrySet()) {
      Files.writeString(file, graph.getKey());
      for (String[] command : List.of(new String[] {"validate", file.toString()},
          new String[] {"run", file.toString(), "-s", "sync"})) {
        err.reset();
        assertEquals(Main.INVALID_GRAPH, Main.run(command), command[0] + " " + graph.getKey());
        assertEquals(graph.getValue(), err(), command[0] + " " + graph.getKey());
      }
    }
    assertEquals("", out(), "nothing computed");
  }

  /** Every subcommand explains itself with -h and --help, as does 'weft help CMD'; exit 0, on stdout. */
  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("up", "demo", "run", "submit", "scheduler", "worker", "broker", "registry",
        "validate", "functions", "stream", "status", "dump")) {
      for (String[] asked : List.of(new String[] {command, "--help"}, new String[] {command, "-h"},
          new String[] {"help", command})) {
        out.reset();
        err.reset();
        assertEquals(Main.OK, Main.run(asked), String.join(" ", asked) + ": " + err());
        assertTrue(out().startsWith("Usage: weft " + command), String.join(" ", asked) + ": " + out());
        assertEquals("", err(), String.join(" ", asked));
      }
    }
    out.reset();
    assertEquals(Main.OK, Main.run("--help"));
    assertTrue(out().contains("Exit status:") && out().contains("the graph is invalid"), out());
  }

  /** Usage errors, invalid graphs and failed tasks end with different statuses, so that scripts can tell them apart. */
  @Test
  void exitStatusesTellUsageErrorsInvalidGraphsAndFailedTasksApart() throws Exception {
    assertEquals(Main.USAGE, Main.run("run", "graph.json", "--no-such-option"));
    assertTrue(err().contains("Unknown option: '--no-such-option'"), err());
    Path unreadable = temp.resolve("not-a-graph.json");
    Files.writeString(unreadable, "{\"tasks\": 7}");
    assertEquals(Main.INVALID_GRAPH, Main.run("run", unreadable.toString(), "-s", "sync"));
    Path fails = temp.resolve("fails.json");
    Files.writeString(fails, "{\"tasks\": {\"a\": [\"div\", 1, 0]}}");
    assertEquals(Main.FAILED, Main.run("run", fails.toString(), "-s", "sync"));
    assertEquals(3, List.of(Main.USAGE, Main.INVALID_GRAPH, Main.FAILED).stream().distinct().count());
  }

  /**
   * A deployment that is not there is said in seconds, naming the address and where it came from (submit against
   * nothing took 61 s and 228 warnings, then 'Timeout expired while fetching topic metadata').
   */
  @Test
  @org.junit.jupiter.api.Timeout(180) // reads the output of child JVMs: one that hangs must fail the test
  void aDeploymentThatIsNotThereIsNamedAtOnce() throws Exception {
    Path file = temp.resolve("one.json");
    Files.writeString(file, "{\"tasks\": {\"a\": [\"inc\", 1]}}");
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    String nothing = "127.0.0.1:" + closed;
    assertEquals(Main.FAILED, Main.run("submit", file.toString(), "--bootstrap", nothing, "--registry",
        "http://" + nothing));
    assertTrue(err().startsWith("weft: cannot reach the schema registry at http://" + nothing + " (from --registry): "),
        err());
    assertEquals(1, err().lines().count(), err());
    // Services wait for their deployment instead, saying what they wait for.
    for (String service : List.of("scheduler", "worker")) {
      Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), Main.class.getName(), service, "--bootstrap", nothing, "--registry",
          "http://" + nothing).redirectErrorStream(true).start();
      try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        String first = lines.readLine();
        assertTrue(first != null && first.startsWith("weft: cannot reach the schema registry at http://" + nothing)
            && first.endsWith("; waiting for it (Ctrl-C stops)"), service + ": " + first);
        assertTrue(process.isAlive(), service + " waits");
      } finally {
        process.destroyForcibly();
      }
    }

    err.reset();
    try (dev.weft.registry.embedded.EmbeddedSchemaRegistry registry = dev.weft.registry.embedded.EmbeddedSchemaRegistry
        .start(new dev.weft.registry.embedded.InMemorySchemaStore())) {
      assertEquals(Main.FAILED, Main.run("submit", file.toString(), "--bootstrap", nothing, "--registry",
          registry.url()));
    }
    // One line, besides the registry's own start and stop (INFO): no warning of Kafka's clients, no stack trace.
    List<String> said = err().lines().filter(line -> !line.contains(" INFO EmbeddedSchemaRegistry ")).toList();
    assertEquals(1, said.size(), err());
    assertTrue(said.get(0).startsWith("weft: cannot reach Kafka at " + nothing + " (from --bootstrap) within 10 s: "),
        err());
  }

  /**
   * A plugin folder reaches every command that resolves functions: validate, functions, and run on sync, threads and
   * processes (run had no --plugins; validate and functions could not see plugins). A folder that is not there is said.
   */
  @Test
  void pluginFunctionsReachEveryCommandThatResolvesFunctions() throws Exception {
    // Not in the test's temporary folder: the process pool started here outlives the test, and its workers load the
    // folder when they start (a missing folder is an error).
    Path plugins = Path.of("target", "test-plugins", "main-test");
    dev.weft.function.PluginJars.build(plugins.resolve("greeter.jar"), "greeter", "\"hello from a plugin\"",
        temp.resolve("build"));
    Path file = temp.resolve("greet.json");
    Files.writeString(file, "{\"tasks\": {\"g\": [\"greeter.hello\"]}}");
    assertEquals(Main.INVALID_GRAPH, Main.run("validate", file.toString()));
    assertTrue(err().contains("unknown function 'greeter.hello'"), err());

    assertEquals(Main.OK, Main.run("validate", file.toString(), "--plugins", plugins.toString()));
    out.reset();
    assertEquals(Main.OK, Main.run("functions", "--plugins", plugins.toString()));
    assertTrue(out().lines().anyMatch(line -> line.matches("greeter\\.hello +\\(any\\.\\.\\.\\) -> any +plugin-greeter")),
        out());
    assertTrue(out().lines().anyMatch(line -> line.matches("inc +\\(number\\) -> number +builtins")), out());
    assertTrue(out().lines().anyMatch(line -> line.matches("sum +\\(any\\.\\.\\.\\) -> number +builtins")), out());
    for (String scheduler : List.of("sync", "threads", "processes")) {
      out.reset();
      assertEquals(Main.OK, Main.run("run", file.toString(), "-s", scheduler, "--plugins", plugins.toString(),
          "--summary"), scheduler + ": " + err());
      assertEquals("g = hello from a plugin\n", out(), scheduler);
    }

    err.reset();
    Path nowhere = temp.resolve("nowhere");
    assertEquals(Main.FAILED, Main.run("validate", file.toString(), "--plugins", nowhere.toString()));
    assertEquals("weft: plugin folder " + nowhere + " does not exist (or is not a folder)\n", err());
  }

  @Test
  void failingTaskIsOneClearMessage() throws Exception {
    Path file = temp.resolve("fails.json");
    Files.writeString(file, "{\"tasks\": {\"a\": [\"div\", 1, 0]}}");
    assertEquals(Main.FAILED, Main.run("run", file.toString(), "-s", "sync"));
    assertEquals("weft: task 'a' (function div) failed: java.lang.ArithmeticException: div: division by zero\n",
        err());
  }
}
