package dev.weft.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's Java quick start is {@code examples/QuickStart.java}, and this runs that very file as a user does, with
 * the {@code java File.java} source launcher in a JVM of its own (this module's test class path standing for the
 * cli's {@code target/lib}): {@code WeftCluster.local()} with its defaults, three tasks, everything stopped.
 */
class QuickStartTest {
  private static final Path ROOT = Path.of("..");
  private static final Path QUICK_START = ROOT.resolve("examples/QuickStart.java");
  private static final String SECTION = "Quick start from Java";

  @Test
  @Timeout(300)
  void theQuickStartRunsPrintsItsResultsAndStopsEverything() throws Exception {
    // Weft's and Kafka's own log lines only when they are errors: the cluster's lines are what is checked.
    Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-Dorg.slf4j.simpleLogger.log.dev.weft=error", "-cp",
        System.getProperty("java.class.path"), QUICK_START.toString()).start();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(java.getErrorStream()));
    String out = read(java.getInputStream());
    assertTrue(java.waitFor(4, TimeUnit.MINUTES), "the quick start ended");
    String log = err.get();
    assertEquals(0, java.exitValue(), out + log);
    assertEquals("[2, 12, 114]\n", out, log);
    // local()'s defaults, as weft up's: everything on 127.0.0.1, two worker processes; a line each, and the dashboard.
    String[] lines = log.split("\n");
    assertEquals(6, lines.length, log);
    assertTrue(lines[0].matches("Kafka \\S+ broker at 127\\.0\\.0\\.1:[0-9]+"), log);
    assertTrue(lines[1].matches("schema registry at http://127\\.0\\.0\\.1:[0-9]+ \\(embedded\\)"), log);
    assertEquals("scheduler running", lines[2], log);
    assertTrue(lines[3].matches("dashboard at http://127\\.0\\.0\\.1:[0-9]+/"), log);
    Matcher workers = Pattern.compile("2 worker processes ready \\(logs in (\\S+)\\); up in [0-9.]+ s")
        .matcher(lines[4]);
    assertTrue(workers.matches(), log);
    assertEquals("stopped", lines[5], log);
    assertTrue(!Files.exists(Path.of(workers.group(1))), "close removed the workers' logs: " + workers.group(1));
  }

  /** The README quotes the file: each of its Java lines is the file's, in the file's order. */
  @Test
  void theReadmeQuotesTheFile() throws Exception {
    List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
    int heading = -1;
    for (int i = 0; i < readme.size() && heading < 0; i++) {
      if (readme.get(i).startsWith("#") && readme.get(i).endsWith(SECTION)) {
        heading = i;
      }
    }
    Assumptions.assumeTrue(heading >= 0, "README.md has no section '" + SECTION + "' yet (written to the notes for"
        + " whoever integrates the README)");
    int start = heading;
    while (!readme.get(start).startsWith("```java")) {
      start++;
    }
    List<String> quoted = new ArrayList<>();
    for (int i = start + 1; !readme.get(i).startsWith("```"); i++) {
      quoted.add(readme.get(i).strip());
    }
    List<String> file = Files.readAllLines(QUICK_START).stream().map(String::strip).toList();
    int from = file.indexOf(quoted.get(0));
    assertTrue(from >= 0 && from + quoted.size() <= file.size()
        && file.subList(from, from + quoted.size()).equals(quoted),
        "the README's quick start is not a part of " + QUICK_START + ":\n" + String.join("\n", quoted));
  }

  private static String read(java.io.InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
