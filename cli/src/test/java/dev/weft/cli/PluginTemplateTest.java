package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's path to functions of one's own, as a user takes it: the plugin template's jar (built by this build,
 * before this module) in a folder, passed with --plugins, runs examples/greet.json on all four schedulers.
 */
class PluginTemplateTest {
  /** The template's jar, as the build resolved the test dependency on it (an IDE run falls back to its build folder). */
  private static final Path TEMPLATE_JAR = Path.of(System.getProperty("weft.plugin.template.jar",
      Path.of("..", "plugin-template", "target", "weft-plugin-template.jar").toString()));
  private static final Path EXAMPLE = Path.of("..", "examples", "greet.json");
  private static final String ANSWER = "{\"hello\": \"hello, plugin\", \"words\": 2}";

  @Test
  void thePluginTemplatesFunctionsRunOnEveryScheduler() throws Exception {
    assertTrue(Files.isRegularFile(TEMPLATE_JAR), TEMPLATE_JAR.toAbsolutePath() + " is missing: the build makes it "
        + "before this module (mvn verify from the root; mvn -q -pl plugin-template -am package alone)");
    // Not in the test's temporary folder: the process pool started here outlives the test, and its workers load the
    // folder when they start.
    Path plugins = Files.createDirectories(Path.of("target", "test-plugins", "template"));
    Files.copy(TEMPLATE_JAR, plugins.resolve("weft-plugin-template.jar"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertEquals(Main.OK, run("validate", EXAMPLE.toString(), "--plugins", plugins.toString()).status);
    for (String scheduler : List.of("sync", "threads", "processes")) {
      Run run = run("run", EXAMPLE.toString(), "-s", scheduler, "--plugins", plugins.toString());
      assertEquals(Main.OK, run.status, scheduler);
      assertEquals(new ObjectMapper().readTree(ANSWER), new ObjectMapper().readTree(run.out), scheduler);
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (OneMachine machine = new OneMachine(1, 1, null, Map.of(PluginOptions.PLUGIN_DIR, plugins.toString()),
        new PrintStream(log, true, StandardCharsets.UTF_8))) {
      Run run = run("submit", EXAMPLE.toString(), "--bootstrap", machine.bootstrapServers(), "--registry",
          machine.registryUrl(), "--no-progress");
      assertEquals(Main.OK, run.status, log.toString(StandardCharsets.UTF_8));
      assertEquals(new ObjectMapper().readTree(ANSWER), new ObjectMapper().readTree(run.out), "broker");
    }
  }

  private record Run(int status, String out) {}

  private static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      return new Run(Main.run(args), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }
}
