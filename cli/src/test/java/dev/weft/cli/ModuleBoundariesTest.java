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
 *
 * <p>A package's main classes live in one module, except where {@link #SPLIT} says so: the project has no
 * {@code module-info} (which would refuse a split package), so this test is what keeps splits few and known.
 */
class ModuleBoundariesTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern INTERNAL = Pattern.compile("dev\\.weft(?:\\.[a-z]+)*\\.internal\\b");
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  /** Internal packages, and the other modules whose main code may use them. */
  private static final Map<String, Set<String>> EXPORTED = Map.of(
      // The compiled plan and the run state every scheduler shares.
      "dev.weft.graph.internal", Set.of("local-schedulers", "broker-scheduler"),
      // avro-io's bounded Avro binary reader, writer and decoder: the value and graph codecs, the process pool's frames,
      // the registry's serdes, the wire codec.
      "dev.weft.value.internal", Set.of("graph-model", "local-schedulers", "schema-registry", "broker-protocol"),
      // The one way a task's function is run and its result refused: the local run, the worker JVM, the broker worker.
      "dev.weft.function.internal", Set.of("local-schedulers", "worker-consumer"),
      // The embedded broker's single-node settings, which the JUnit extension gives a Kafka container too.
      "dev.weft.kafka.embedded.internal", Set.of("test-support"));

  /**
   * Packages whose main classes are in more than one module, and those modules. Never an {@code internal} package: its
   * module is its owner.
   */
  private static final Map<String, Set<String>> SPLIT = Map.of(
      // avro-io holds the decode limits and the exceptions of its reader and writer; graph-model the value codec.
      "dev.weft.value", Set.of("avro-io", "graph-model"),
      // broker-client holds the broker scheduler of the common API; broker-scheduler the scheduler service.
      "dev.weft.broker", Set.of("broker-client", "broker-scheduler"));

  @Test
  void internalPackagesAreUsedOnlyByTheModulesTheyAreExportedTo() throws IOException {
    List<String> modules = modules();

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

  @Test
  void packagesAreSplitAcrossModulesOnlyWhereListed() throws IOException {
    Map<String, Set<String>> modulesOfPackage = new TreeMap<>();
    for (String module : modules()) {
      Path sources = ROOT.resolve(module).resolve("src/main/java");
      if (Files.isDirectory(sources)) {
        try (Stream<Path> files = Files.walk(sources)) {
          files.filter(path -> path.toString().endsWith(".java"))
              .map(file -> sources.relativize(file.getParent()).toString().replace('/', '.'))
              .forEach(name -> modulesOfPackage.computeIfAbsent(name, any -> new TreeSet<>()).add(module));
        }
      }
    }
    Map<String, Set<String>> split = new TreeMap<>();
    modulesOfPackage.forEach((name, owners) -> {
      if (owners.size() > 1) {
        split.put(name, owners);
      }
    });
    assertTrue(SPLIT.keySet().stream().noneMatch(name -> INTERNAL.matcher(name).matches()), "internal split: " + SPLIT);
    assertEquals(new TreeMap<>(SPLIT), split, "packages split across modules (a new split, or a listed one gone)");
  }

  private static List<String> modules() throws IOException {
    List<String> modules = new ArrayList<>();
    Matcher listed = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (listed.find()) {
      modules.add(listed.group(1));
    }
    assertTrue(modules.contains("graph-model") && modules.contains("cli"), "the root pom lists the modules: " + modules);
    return modules;
  }
}
