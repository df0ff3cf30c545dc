package dev.weft.broker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.kafka.junit.TestKafka;
import dev.weft.kafka.junit.WithKafka;
import dev.weft.worker.WorkerConfig;
import dev.weft.worker.WorkerProcesses;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker JVM does not outlive the JVM that started it, even one killed with SIGKILL. */
@WithKafka
class OrphanWorkerTest {
  @TempDir
  Path temp;

  /** A JVM that starts one worker, prints its pid, and waits to be killed. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      Properties settings = new Properties();
      try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
        settings.load(in);
      }
      Map<String, Object> config = new HashMap<>();
      settings.forEach((key, value) -> config.put((String) key, value));
      Process worker = WorkerProcesses.start(config, List.of("-Xmx128m"), Path.of(args[1]));
      System.out.println(worker.pid());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void aWorkerStopsWhenTheJvmThatStartedItIsKilled(TestKafka kafka) throws Exception {
    try (WeftCluster cluster = WeftCluster.start(kafka, 0)) {
      Properties settings = new Properties();
      cluster.connection().forEach((key, value) -> settings.setProperty(key, String.valueOf(value)));
      settings.setProperty(WorkerConfig.NAME, "orphan");
      Path file = temp.resolve("worker.properties");
      try (Writer out = Files.newBufferedWriter(file)) {
        settings.store(out, null);
      }
      Path log = temp.resolve("worker.log");
      Process parent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Parent.class.getName(), file.toString(), log.toString())
          .redirectErrorStream(true).start();
      long workerPid;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
          StandardCharsets.UTF_8))) {
        workerPid = Long.parseLong(out.readLine().trim());
      }
      Optional<ProcessHandle> worker = ProcessHandle.of(workerPid);
      assertTrue(worker.isPresent() && worker.get().isAlive(), "the worker runs");
      cluster.awaitWorkers(1);

      parent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      try {
        worker.get().onExit().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        worker.get().destroyForcibly();
        throw new AssertionError("the worker outlived its parent by a minute; its log: " + Files.readString(log));
      }
      assertTrue(Files.readString(log).contains("the process that started it ended; stopping"), Files.readString(log));
    }
  }
}
