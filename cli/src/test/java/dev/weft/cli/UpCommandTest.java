package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, end to end: an embedded Kafka broker, a registry, a scheduler and a worker process
 * start on this machine, the demo graph runs through Kafka with the right answer, and everything stops.
 */
class UpCommandTest {
  @Test
  void upRunsTheDemoThroughKafkaAndStops() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Main.run("up", "--tasks", "3000", "--workers", "1", "--threads", "1");
    } finally {
      System.setOut(original);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, printed);
    assertTrue(printed.contains("sum of squares of 0..2999 = 8995500500 (correct)"), printed);
    assertTrue(printed.contains("3,031 tasks through Kafka (broker scheduler, 1 worker process)"), printed);
  }
}
