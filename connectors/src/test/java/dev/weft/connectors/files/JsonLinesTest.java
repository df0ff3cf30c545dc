package dev.weft.connectors.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.value.Values;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
  @TempDir
  Path dir;

  private final Tasks tasks = new Tasks();

  @Test
  void eachLineIsParsedIntoWeftValuesAndBlankLinesAreSkipped() throws Exception {
    Files.writeString(dir.resolve("orders.json"), "{\"id\": 1, \"price\": 2.5, \"tags\": [\"a\", null, true],"
        + " \"nested\": {\"z\": 1, \"a\": false}}\r\n\n   \n7\n\"text\"\nnull\n[1, 1.0e3]\n");

    List<Object> items = tasks.items(TextFiles.jsonLines(dir + "/*.json"));

    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("z", 1L);
    nested.put("a", false);
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("id", 1L);
    order.put("price", 2.5);
    order.put("tags", Arrays.asList("a", null, true));
    order.put("nested", nested);
    assertEquals(Arrays.asList(order, 7L, "text", null, List.of(1L, 1000.0)), items);
    assertEquals(List.of("z", "a"), List.copyOf(((Map<?, ?>) ((Map<?, ?>) items.get(0)).get("nested")).keySet()));
    assertSame(items, Values.canonical(items), "already canonical: nothing to convert");
  }

  @Test
  void aMalformedLineIsAnErrorNamingTheFileTheLineAndJacksonsReason() throws Exception {
    Path file = Files.writeString(dir.resolve("orders-3.json"), "{\"a\": 1}\n\n{\"a\": x}\n");

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.items(TextFiles.jsonLines(file.toString())));
    assertTrue(error.getMessage().startsWith(file + " line 3: not JSON: Unrecognized token 'x'"),
        error.getMessage());
    assertTrue(error.getMessage().endsWith("(column 7)"), error.getMessage());
  }

  @Test
  void aMalformedLineInALaterBlockIsNamedByItsByteInTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("x.json"), "1\n2\n3\n{\n");

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.items(TextFiles.jsonLines(file.toString(), 4)));
    assertTrue(error.getMessage().startsWith(file + " line 2 counted from the block at byte 4 (the line starts at"
        + " byte 6): not JSON: Unexpected end-of-input"), error.getMessage());
  }

  @Test
  void twoValuesOnALineAreRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("x.json"), "{\"a\": 1} {\"b\": 2}\n");

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.items(TextFiles.jsonLines(file.toString())));
    assertEquals(file + " line 1: not JSON: more than one value on the line (the second starts at column 10)",
        error.getMessage());
  }

  @Test
  void anIntegerBeyondALongIsRefusedRatherThanRounded() throws Exception {
    Path file = Files.writeString(dir.resolve("x.json"), "{\"id\": 12345678901234567890}\n");

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> tasks.items(TextFiles.jsonLines(file.toString())));
    assertEquals(file + " line 1: the integer 12345678901234567890 at column 8 does not fit a long",
        error.getMessage());
  }
}
