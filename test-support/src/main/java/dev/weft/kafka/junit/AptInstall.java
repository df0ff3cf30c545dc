package dev.weft.kafka.junit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a client that nobody on this project wrote available to an interoperability test: kcat, Confluent's Python
 * client. When {@code check} fails, Debian's packages are installed with apt-get (which needs root); what the test
 * needs is then installed by the build itself, as on a fresh machine. {@code -Dweft.interop.skip=true} is the way to
 * skip such tests on purpose; a failed install fails the test, with apt-get's output.
 */
public final class AptInstall {
  /** Whether interoperability tests are skipped on purpose ({@code -Dweft.interop.skip=true}). */
  public static final boolean SKIP = Boolean.getBoolean("weft.interop.skip");

  private static final long TIMEOUT_MINUTES = 15;

  private AptInstall() {}

  /**
   * Runs the shell command {@code check}; when it fails, installs {@code packages} and runs it again.
   *
   * @param what what is installed, for messages
   */
  public static void ensure(String what, String check, String... packages) throws IOException, InterruptedException {
    Path script = Files.createTempFile("weft-apt-install-", ".sh");
    Path log = Files.createTempFile("weft-apt-install-", ".log");
    try {
      try (InputStream in = AptInstall.class.getResourceAsStream("apt-install.sh")) {
        Files.write(script, in.readAllBytes());
      }
      List<String> command = new ArrayList<>(List.of("bash", script.toString(), what, check));
      command.addAll(List.of(packages));
      Process install = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      install.getOutputStream().close();
      if (!install.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        install.destroyForcibly();
        fail("installing " + what + " took over " + TIMEOUT_MINUTES + " minutes:\n" + Files.readString(log));
      }
      if (install.exitValue() != 0) {
        fail("cannot install " + what + ": apt-install.sh exited " + install.exitValue()
            + " (run with -Dweft.interop.skip=true to skip this test on purpose):\n" + Files.readString(log));
      }
    } finally {
      Files.deleteIfExists(script);
      Files.deleteIfExists(log);
    }
  }
}
