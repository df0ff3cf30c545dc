package dev.weft.broker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessesTest {
  @TempDir
  Path temp;

  @Test
  void settingsComeFromArgumentsAndFilesAndTemporaryFilesAreDeletedOnceRead() throws Exception {
    Path kept = Files.writeString(temp.resolve("kept.properties"), "weft.worker.threads=3\n");
    Path secret = Files.writeString(temp.resolve("secret.properties"), "sasl.jaas.config=secret\n");

    Map<String, Object> config = ServiceProcesses.parseArguments(new String[] {"weft.worker.pool=gpu", "@" + kept,
        ServiceProcesses.DELETE_SETTINGS_FILES, "@" + secret});

    assertEquals(Map.of("weft.worker.pool", "gpu", "weft.worker.threads", "3", "sasl.jaas.config", "secret"), config);
    assertTrue(Files.exists(kept), "a file named before the flag is the user's: kept");
    assertFalse(Files.exists(secret), "a file named after the flag is deleted once read");
    assertEquals("'nonsense' is not key=value or @file", assertThrows(IllegalArgumentException.class,
        () -> ServiceProcesses.parseArguments(new String[] {"nonsense"})).getMessage());
  }
}
