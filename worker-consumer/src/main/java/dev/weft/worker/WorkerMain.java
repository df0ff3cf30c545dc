package dev.weft.worker;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Runs a worker until the process is told to stop (SIGTERM, Ctrl-C) or the process that started it ends, then stops
 * it gracefully. Arguments are {@code key=value} settings ({@link WorkerConfig}) or {@code @file} naming a properties
 * file.
 */
public final class WorkerMain {
  /**
   * Before {@code @file} arguments: delete those files once read. Settings may hold credentials, and the process that
   * wrote them may die before it could delete them.
   */
  static final String DELETE_SETTINGS_FILES = "--delete-settings-files";

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, Object> config = parse(args);
    Worker worker = Worker.start(config);
    // Started by a Weft JVM (WorkerProcesses): should that one end without stopping us, we stop too, gracefully,
    // rather than outlive it.
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      System.err.println("weft worker " + worker.name() + ": the process that started it ended; stopping");
      System.exit(0);
    }));
    System.out.println("weft worker " + worker.name() + " started");
    System.out.flush();
    Throwable failure = worker.runUntilShutdown();
    if (failure != null) {
      System.err.println("weft worker " + worker.name() + " stopped: " + failure);
      System.exit(1);
    }
  }

  static Map<String, Object> parse(String[] args) throws IOException {
    Map<String, Object> config = new HashMap<>();
    boolean deleteFiles = false;
    for (String arg : args) {
      if (arg.equals(DELETE_SETTINGS_FILES)) {
        deleteFiles = true;
      } else if (arg.startsWith("@")) {
        Path path = Path.of(arg.substring(1));
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(path)) {
          file.load(reader);
        }
        if (deleteFiles) {
          Files.delete(path);
        }
        file.forEach((key, value) -> config.put((String) key, value));
      } else {
        int equals = arg.indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException("'" + arg + "' is not key=value or @file");
        }
        config.put(arg.substring(0, equals), arg.substring(equals + 1));
      }
    }
    return config;
  }
}
