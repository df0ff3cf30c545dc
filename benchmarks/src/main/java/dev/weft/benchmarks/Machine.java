package dev.weft.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the figures were measured on, printed with them: the machine is shared and its load matters. */
final class Machine {
  private Machine() {}

  static String describe() {
    Runtime runtime = Runtime.getRuntime();
    return "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
        + runtime.availableProcessors() + " cpus, max heap " + runtime.maxMemory() / (1 << 20) + " MB, load "
        + loadAverage();
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
