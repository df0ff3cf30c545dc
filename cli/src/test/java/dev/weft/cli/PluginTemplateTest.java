package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.cluster.WeftCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's path to functions of one's own, as a user takes it: the plugin template's jar (built by this build,
 * before this module) in a folder, passed with --plugins, runs examples/greet.json on all four schedulers; its
 * declared types refuse a wrong argument on each before anything runs; and a jar added to the folder while the broker
 * services run is found without a restart.
 */
class PluginTemplateTest {
  /** The template's jar, as the build resolved the test dependency on it (an IDE run falls back to its build folder). */
  private static final Path TEMPLATE_JAR = Path.of(System.getProperty("weft.plugin.template.jar",
      Path.of("..", "plugin-template", "target", "weft-plugin-template.jar").toString()));
  private static final Path EXAMPLE = Path.of("..", "examples", "greet.json");
  private static final String ANSWER = "{\"hello\": \"hello, plugin\", \"words\": 2}";
  /** The template declares example.greet's argument a string: a number is refused before anything runs. */
  private static final String WRONG_TYPE = "{\"tasks\": {\"hello\": [\"example.greet\", 5]}}";
  private static final String REFUSAL = "task 'hello' passes the literal 5 (Long) to example.greet as argument 1, "
      + "which must be a string (example.greet: (string) -> string)";

  @Test
  void thePluginTemplatesFunctionsRunOnEveryScheduler() throws Exception {
    assertTrue(Files.isRegularFile(TEMPLATE_JAR), TEMPLATE_JAR.toAbsolutePath() + " is missing: the build makes it "
        + "before this module (mvn verify from the root; mvn -q -pl plugin-template -am package alone)");
    // Not in the test's temporary folder: the process pool started here outlives the test, and its workers load the
    // folder when they start.
    Path plugins = Files.createDirectories(Path.of("target", "test-plugins", "template"));
    Files.copy(TEMPLATE_JAR, plugins.resolve("weft-plugin-template.jar"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path deployedLater = plugins.resolve("deployed-later.jar");
    Files.deleteIfExists(deployedLater); // left by an earlier run: it must arrive while the services run

    Path wrongType = Files.writeString(Files.createTempFile("wrong-type", ".json"), WRONG_TYPE);
    assertEquals(Main.OK, run("validate", EXAMPLE.toString(), "--plugins", plugins.toString()).status);
    Run refused = run("validate", wrongType.toString(), "--plugins", plugins.toString());
    assertEquals(Main.INVALID_GRAPH, refused.status);
    assertTrue(refused.err.contains(REFUSAL), refused.err);
    for (String scheduler : List.of("sync", "threads", "processes")) {
      Run run = run("run", EXAMPLE.toString(), "-s", scheduler, "--plugins", plugins.toString());
      assertEquals(Main.OK, run.status, scheduler);
      assertEquals(new ObjectMapper().readTree(ANSWER), new ObjectMapper().readTree(run.out), scheduler);
      refused = run("run", wrongType.toString(), "-s", scheduler, "--plugins", plugins.toString());
      assertEquals(Main.INVALID_GRAPH, refused.status, scheduler);
      assertTrue(refused.err.contains(REFUSAL), scheduler + ": " + refused.err);
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (WeftCluster machine = WeftCluster.builder().workers(1).threadsPerWorker(1)
        .setting(PluginOptions.PLUGIN_DIR, plugins.toString()).log(new PrintStream(log, true, StandardCharsets.UTF_8))
        .start()) {
      Run run = run("submit", EXAMPLE.toString(), "--bootstrap", machine.bootstrapServers(), "--registry",
          machine.registryUrl(), "--no-progress");
      assertEquals(Main.OK, run.status, log.toString(StandardCharsets.UTF_8));
      assertEquals(new ObjectMapper().readTree(ANSWER), new ObjectMapper().readTree(run.out), "broker");
      refused = run("submit", wrongType.toString(), "--bootstrap", machine.bootstrapServers(), "--registry",
          machine.registryUrl(), "--no-progress");
      assertEquals(Main.INVALID_GRAPH, refused.status, "broker");
      assertTrue(refused.err.contains(REFUSAL), "broker: " + refused.err);

      // A jar deployed next to running services is found by the scheduler (which checks names) and the worker.
      Path work = Files.createTempDirectory("deployed-later");
      Files.move(dev.weft.function.PluginJars.build(work.resolve("later.jar"), "later", "\"deployed while running\"",
          work), deployedLater);
      Path later = Files.writeString(work.resolve("later.json"), "{\"tasks\": {\"g\": [\"later.hello\"]}}");
      run = run("submit", later.toString(), "--bootstrap", machine.bootstrapServers(), "--registry",
          machine.registryUrl(), "--no-progress");
      assertEquals(Main.OK, run.status, run.err + log.toString(StandardCharsets.UTF_8));
      assertEquals(new ObjectMapper().readTree("{\"g\": \"deployed while running\"}"),
          new ObjectMapper().readTree(run.out));
    } finally {
      Files.delete(wrongType);
      Files.deleteIfExists(deployedLater);
    }
  }

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
