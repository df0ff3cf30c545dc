package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture test of the module boundaries: a package named {@code internal} belongs to its module, and the
 * main code of another module may use it only where {@link #EXPORTED} says so (as a {@code module-info}'s qualified
 * exports would). A new use across modules fails here until it is added below, on purpose. Tests may use any
 * internals. Reads the sources of every module the root pom lists, so a new module is covered as it is added.
 */
class ModuleBoundariesTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern INTERNAL = Pattern.compile("dev\\.weft(?:\\.[a-z]+)*\\.internal\\b");
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  /** Internal packages, and the other modules whose main code may use them. */
  private static final Map<String, Set<String>> EXPORTED = Map.of(
      // The compiled plan and the run state every scheduler shares.
      "dev.weft.graph.internal", Set.of("local-schedulers", "broker-scheduler"),
      // The bounded Avro binary reader and writer: the process pool's frames, the registry's decoder, the wire codec.
      "dev.weft.value.internal", Set.of("local-schedulers", "schema-registry", "broker-protocol"),
      // The embedded broker's single-node settings, which the JUnit extension gives a Kafka container too.
      "dev.weft.kafka.embedded.internal", Set.of("test-support"));

  @Test
  void internalPackagesAreUsedOnlyByTheModulesTheyAreExportedTo() throws IOException {
    List<String> modules = new ArrayList<>();
    Matcher listed = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (listed.find()) {
      modules.add(listed.group(1));
    }
    assertTrue(modules.contains("graph-model") && modules.contains("cli"), "the root pom lists the modules: " + modules);

    Map<String, String> owners = new TreeMap<>();
    for (String module : modules) {
      Path sources = ROOT.resolve(module).resolve("src/main/java");
      if (Files.isDirectory(sources)) {
        try (Stream<Path> folders = Files.walk(sources)) {
          folders.filter(Files::isDirectory).map(folder -> sources.relativize(folder).toString().replace('/', '.'))
              .filter(name -> INTERNAL.matcher(name).matches()).forEach(name -> owners.put(name, module));
        }
      }
    }
    assertTrue(owners.keySet().containsAll(EXPORTED.keySet()), "every exported package exists: " + owners);

    Set<String> violations = new TreeSet<>();
    for (String module : modules) {
      Path sources = ROOT.resolve(module).resolve("src/main/java");
      if (!Files.isDirectory(sources)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(sources)) {
        for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
          Matcher use = INTERNAL.matcher(Files.readString(file));
          while (use.find()) {
            String owner = owners.get(use.group());
            if (owner != null && !owner.equals(module)
                && !EXPORTED.getOrDefault(use.group(), Set.of()).contains(module)) {
              violations.add(module + " uses " + use.group() + " of " + owner + " (" + ROOT.relativize(file) + ")");
            }
          }
        }
      }
    }
    assertEquals(Set.of(), violations, "internal packages used across modules without being exported to them");
  }
}
