package dev.weft.registry.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.embedded.internal.StoreRecordJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documented form of the schemas topic's records. */
class StoreRecordJsonTest {

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static String sha256(String text) throws RuntimeException {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void recordsHaveConfluentShapedKeysAndValues() {
    StoreRecordJson.Encoded version = StoreRecordJson.encode(
        new StoreRecord.SchemaVersion("orders-value", 2, 7, "\"string\"", false));
    // SHA-256 of "string" with its quotes.
    assertEquals("{\"keytype\":\"SCHEMA\",\"subject\":\"orders-value\",\"version\":2,\"id\":7,"
        + "\"sha256\":\"" + sha256("\"string\"") + "\",\"magic\":1}", text(version.key()));
    assertEquals("{\"subject\":\"orders-value\",\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\","
        + "\"deleted\":false}", text(version.value()));

    StoreRecordJson.Encoded removed = StoreRecordJson.encode(StoreRecord.SchemaVersionRemoved.of(
        new StoreRecord.SchemaVersion("orders-value", 2, 7, "\"string\"", true)));
    assertEquals(text(version.key()), text(removed.key()), "the tombstone has the version's key");
    assertNull(removed.value());

    StoreRecordJson.Encoded global = StoreRecordJson.encode(
        new StoreRecord.Compatibility(null, CompatibilityLevel.FULL));
    assertEquals("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}", text(global.key()));
    assertEquals("{\"compatibilityLevel\":\"FULL\"}", text(global.value()));
  }

  @Test
  void everyRecordDecodesToItself() {
    for (StoreRecord record : List.of(new StoreRecord.SchemaVersion("s", 1, 1, "\"int\"", false),
        new StoreRecord.SchemaVersion("s/ü", 3, 9, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}", true),
        new StoreRecord.SchemaVersionRemoved("s", 3, 9, sha256("x")),
        new StoreRecord.Compatibility(null, CompatibilityLevel.NONE),
        new StoreRecord.Compatibility("s", CompatibilityLevel.FORWARD_TRANSITIVE),
        new StoreRecord.Compatibility("s", null), new StoreRecord.Compatibility(null, null))) {
      StoreRecordJson.Encoded encoded = StoreRecordJson.encode(record);
      assertEquals(record, StoreRecordJson.decode(encoded.key(), encoded.value()));
    }
  }

  @Test
  void recordsOfOtherKindsAreSkippedAndMalformedOnesRefused() {
    assertNull(StoreRecordJson.decode(bytes("{\"keytype\":\"NOOP\",\"magic\":0}"), bytes("{}")));
    assertNull(StoreRecordJson.decode(bytes("{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"id\":1,"
        + "\"sha256\":\"00\",\"magic\":1}"),
        bytes("{\"subject\":\"p\",\"version\":1,\"id\":1,\"schemaType\":\"PROTOBUF\",\"schema\":\"x\"}")));
    assertThrows(IllegalArgumentException.class, () -> StoreRecordJson.decode(bytes("not json"), null));
    assertThrows(IllegalArgumentException.class, () -> StoreRecordJson.decode(null, null));
    assertThrows(IllegalArgumentException.class, () -> StoreRecordJson.decode(
        StoreRecordJson.encode(new StoreRecord.SchemaVersion("a", 1, 1, "\"int\"", false)).key(),
        bytes("{\"subject\":\"b\",\"version\":1,\"id\":1,\"schema\":\"\\\"int\\\"\"}")));
    assertThrows(IllegalArgumentException.class, () -> StoreRecordJson.decode(
        bytes("{\"keytype\":\"CONFIG\",\"subject\":null}"), bytes("{\"compatibilityLevel\":\"SIDEWAYS\"}")));
  }
}
