package dev.weft.local.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** How a dead worker's end is put into words: the exit code read as a signal or as running out of memory. */
class WorkerBurialTest {

  private static String describe(int exitCode, String output) {
    FakeProcess process = new FakeProcess(42, output);
    WorkerProcess worker = new WorkerProcess(3, 0, process);
    worker.output.drain(process.getErrorStream(), "", new PrintStream(OutputStream.nullOutputStream()), "test-drain");
    process.exit(exitCode);
    return WorkerBurial.describeExit(worker);
  }

  @Test
  void anExitCodeOver128IsTheSignalThatKilledIt() {
    assertEquals("killed by signal 9 (SIGKILL)", describe(137, ""));
    assertEquals("killed by signal 15 (SIGTERM)", describe(143, ""));
    assertEquals("killed by signal 7", describe(135, ""));
  }

  @Test
  void anOutOfMemoryErrorInTheLastOutputSaysWhatToRaise() {
    assertEquals("exit code 3, out of memory (raise the workers' -Xmx with the processes.jvm.options option); its last "
        + "output: Terminating due to java.lang.OutOfMemoryError: Java heap space",
        describe(3, "Terminating due to java.lang.OutOfMemoryError: Java heap space\n"));
  }

  @Test
  void otherwiseTheExitCodeAndTheLastLines() {
    assertEquals("exit code 7", describe(7, ""));
    assertEquals("exit code 1; its last output: one | two", describe(1, "one\ntwo\n"));
  }
}
