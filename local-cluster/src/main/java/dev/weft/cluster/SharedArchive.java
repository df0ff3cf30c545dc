package dev.weft.cluster;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The class data sharing (AppCDS) archive a worker JVM maps at start, so that it loads the classes of Kafka's clients
 * and Weft's worker from a memory-mapped archive instead of parsing and verifying them from jars. The build makes the
 * archive ({@code cli/target/weft-cli.jsa}, recorded from a run of {@code weft up --in-process}), and the
 * {@code weft} script starts the CLI's JVM with it; the workers a cluster starts use the archive their parent uses:
 * they run the same class path, which an archive must match.
 *
 * <p>Never a reason for a worker not to start: without an archive the options are empty, and an archive that no longer
 * matches the class path or the JDK (a jar rebuilt since) is ignored by the JVM, whose warning about it these options
 * silence (the worker only loads its classes the slow way).
 */
final class SharedArchive {
  /** JVM options that turn off the warnings of class data sharing: a stale archive is no news for the user. */
  static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";

  private SharedArchive() {}

  /**
   * The options for a JVM to map {@code archive}, or none when there is no archive (null, or no such file): then the
   * JVM starts as it would without them.
   */
  static List<String> jvmOptions(Optional<Path> archive) {
    return archive.filter(Files::isRegularFile)
        .map(file -> List.of("-XX:SharedArchiveFile=" + file.toAbsolutePath(), "-Xshare:auto", QUIET))
        .orElse(List.of());
  }

  /**
   * The archive this JVM was started with ({@code -XX:SharedArchiveFile}), if any; none on a JVM that cannot say (no
   * HotSpot diagnostic bean, or no such option): an archive is a speed-up, never a reason for a worker not to start.
   */
  static Optional<Path> ofThisJvm() {
    try {
      HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      String value = hotSpot == null ? "" : hotSpot.getVMOption("SharedArchiveFile").getValue();
      return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    } catch (IllegalArgumentException e) { // the option does not exist on this JVM
      return Optional.empty();
    }
  }
}
