package dev.weft.registry.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.registry.CompatibilityLevel;
import dev.weft.registry.embedded.StoreRecord;
import dev.weft.registry.embedded.StoreRecord.SchemaVersion;
import dev.weft.registry.embedded.StoreRecord.SchemaVersionRemoved;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules by which registries sharing a log agree: first accepted wins, and compaction changes nothing. */
class RegistryStateTest {
  private static final String A = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[]}";
  private static final String B = "{\"type\":\"record\",\"name\":\"B\",\"fields\":[]}";
  private static final String C = "{\"type\":\"record\",\"name\":\"C\",\"fields\":[]}";

  private static SchemaVersion version(String subject, int version, int id, String schema) {
    return new SchemaVersion(subject, version, id, schema, false);
  }

  @Test
  void aVersionOrIdThatAnEarlierRecordHoldsIsRejected() {
    RegistryState state = new RegistryState();
    assertTrue(state.apply(version("s", 1, 1, A)));
    assertFalse(state.apply(version("s", 1, 2, B)), "version 1 of s is taken");
    assertFalse(state.apply(version("t", 1, 1, B)), "id 1 is A's");
    assertFalse(state.apply(version("t", 1, 2, A)), "A has id 1");
    assertTrue(state.apply(version("s", 1, 1, A)), "the same decision twice is one version");
    assertTrue(state.apply(version("t", 1, 1, A)), "A under another subject keeps its id");
    // The losers' tombstones change nothing.
    state.apply(SchemaVersionRemoved.of(version("s", 1, 2, B)));
    state.apply(SchemaVersionRemoved.of(version("t", 1, 2, A)));
    assertEquals(1, state.version("s", 1).id());
    assertEquals(A, state.schema(1).text());
    assertNull(state.schema(2));
    assertEquals(2, state.highestIdSeen(), "losers' ids are not offered again");
  }

  @Test
  void anIdIsForgottenWithTheLastVersionThatRefersToIt() {
    RegistryState state = new RegistryState();
    state.apply(version("s", 1, 1, A));
    state.apply(version("t", 1, 1, A));
    state.apply(SchemaVersionRemoved.of(version("s", 1, 1, A)));
    assertEquals(A, state.schema(1).text());
    state.apply(SchemaVersionRemoved.of(version("t", 1, 1, A)));
    assertNull(state.schema(1));
    assertNull(state.idOf(A));
  }

  /** A log as Kafka's cleaner leaves it: the last record of each key, in log order, tombstones optionally gone. */
  private static List<StoreRecord> compacted(List<StoreRecord> log, boolean dropTombstones) {
    Map<String, Integer> last = new HashMap<>();
    for (int i = 0; i < log.size(); i++) {
      last.put(new String(StoreRecordJson.encode(log.get(i)).key(), StandardCharsets.UTF_8), i);
    }
    List<StoreRecord> kept = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      StoreRecordJson.Encoded encoded = StoreRecordJson.encode(log.get(i));
      boolean latest = last.get(new String(encoded.key(), StandardCharsets.UTF_8)) == i;
      if (latest && !(dropTombstones && encoded.value() == null)) {
        kept.add(log.get(i));
      }
    }
    return kept;
  }

  private static String snapshot(List<StoreRecord> log) {
    RegistryState state = new RegistryState();
    log.forEach(state::apply);
    StringBuilder out = new StringBuilder("global=" + state.globalLevel() + "\n");
    for (String subject : state.subjects(true)) {
      out.append(subject).append(" level=").append(state.subjectLevel(subject)).append('\n');
      for (RegistryState.Version version : state.versions(subject, true)) {
        out.append("  v").append(version.version()).append(" id=").append(version.id()).append(" deleted=")
            .append(version.deleted()).append(' ').append(version.schema().text()).append('\n');
      }
    }
    for (int id = 1; id <= 10; id++) {
      out.append("id ").append(id).append('=').append(state.schema(id) == null ? null : state.schema(id).text())
          .append('\n');
    }
    return out.toString();
  }

  @Test
  void compactionLeavesTheStateAsItWas() {
    SchemaVersion winner = version("s", 1, 1, A);
    SchemaVersion loser = version("s", 1, 2, B);
    SchemaVersion gone = version("u", 1, 3, C);
    List<StoreRecord> log = List.of(
        winner, loser, SchemaVersionRemoved.of(loser),
        version("s", 2, 2, B),
        new SchemaVersion("s", 1, 1, A, true), // soft delete: the winner's key again, later than the loser
        new StoreRecord.Compatibility(null, CompatibilityLevel.FULL),
        new StoreRecord.Compatibility("s", CompatibilityLevel.NONE),
        gone, new SchemaVersion("u", 1, 3, C, true), SchemaVersionRemoved.of(gone),
        new StoreRecord.Compatibility("s", null),
        version("t", 1, 4, C));
    String full = snapshot(log);
    assertEquals(full, snapshot(compacted(log, false)));
    assertEquals(full, snapshot(compacted(log, true)));
    assertTrue(full.contains("v1 id=1 deleted=true " + A), full);
    assertTrue(full.contains("id 3=null"), full);
  }
}
