package dev.weft.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyIndexTest {
  /** Keys that all have one hash: strings of "Aa" and "BB", which hash alike, {@code 2^parts} of them. */
  private static List<String> collidingKeys(int parts) {
    List<String> keys = new ArrayList<>(List.of(""));
    for (int i = 0; i < parts; i++) {
      List<String> longer = new ArrayList<>();
      for (String key : keys) {
        longer.add(key + "Aa");
        longer.add(key + "BB");
      }
      keys = longer;
    }
    return keys;
  }

  private static List<Task> tasks(List<String> keys) {
    List<Task> tasks = new ArrayList<>();
    for (String key : keys) {
      tasks.add(Task.of(key, "inc", 1L));
    }
    return tasks;
  }

  private static KeyIndex index(List<Task> tasks) {
    return new KeyIndex(tasks, (key, earlier, later) -> {
      throw new AssertionError("no duplicate expected: " + key);
    });
  }

  @Test
  void findsEveryKeyWhenAFewHashesCollide() {
    List<String> keys = collidingKeys(7); // 128 keys, one hash: a run of probes the table still takes
    assertEquals(1, keys.stream().mapToInt(String::hashCode).distinct().count());
    KeyIndex index = index(tasks(keys.subList(0, 100)));
    assertTrue(index.capacity() > 0, "the table is kept");
    for (int i = 0; i < 100; i++) {
      assertEquals(i, index.positionOf(keys.get(i)), keys.get(i));
    }
    // Absent keys of the same hash walk the whole run of colliding slots and stop at an empty one.
    for (int i = 100; i < keys.size(); i++) {
      assertEquals(-1, index.positionOf(keys.get(i)), keys.get(i));
    }
  }

  @Test
  void keysMadeToCollideGiveTheTableUpForOneThatStaysFast() {
    // 65,536 keys of one hash would take 2 billion probes in the table: a client's graph must not cost a shared
    // scheduler that.
    List<String> keys = collidingKeys(16);
    List<String> told = new ArrayList<>();
    List<String> withRepeat = new ArrayList<>(keys);
    withRepeat.add(keys.get(5));
    KeyIndex index = new KeyIndex(tasks(withRepeat), (key, earlier, later) -> told.add(key + " " + earlier + " "
        + later));
    assertEquals(0, index.capacity(), "given up for a HashMap");
    assertEquals(List.of(keys.get(5) + " 5 " + keys.size()), told, "each duplicate told once");
    for (int i = 0; i < keys.size(); i += 97) {
      assertEquals(i, index.positionOf(keys.get(i)), keys.get(i));
    }
    assertEquals(-1, index.positionOf("Aa"));
    assertEquals(-1, index.positionOf(null));
  }

  @Test
  void aDuplicateBeforeTheTableIsGivenUpIsToldOnce() {
    List<String> keys = new ArrayList<>(collidingKeys(9).subList(0, 300));
    keys.add(1, keys.get(0)); // a duplicate the table sees before the run of probes grows too long
    List<String> told = new ArrayList<>();
    KeyIndex index = new KeyIndex(tasks(keys), (key, earlier, later) -> told.add(key + " " + earlier + " " + later));
    assertEquals(0, index.capacity());
    assertEquals(List.of(keys.get(0) + " 0 1"), told);
  }

  @Test
  void findsEveryKeyAtEverySizeAroundThePowersOfTwo() {
    for (int size : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1023, 1024, 1025, 100_000}) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        keys.add("task-" + i);
      }
      KeyIndex index = index(tasks(keys));
      for (int i = 0; i < size; i++) {
        assertEquals(i, index.positionOf(keys.get(i)), "size " + size + ", key " + keys.get(i));
      }
      assertEquals(-1, index.positionOf("task-" + size), "size " + size);
      assertEquals(-1, index.positionOf(""), "size " + size);
      // At most half full, so that a probe for an absent key ends soon; never more than twice what that needs.
      assertTrue(index.capacity() >= 2 * size && index.capacity() <= Math.max(2, 4 * size),
          "size " + size + ": capacity " + index.capacity());
    }
  }

  @Test
  void tellsEachLaterDuplicateWithTheFirstPositionAndKeepsTheFirst() {
    List<String> duplicates = new ArrayList<>();
    List<String> keys = new ArrayList<>(collidingKeys(3));
    keys.add(keys.get(2));
    keys.add("other");
    keys.add(keys.get(2));
    KeyIndex index = new KeyIndex(tasks(keys), (key, earlier, later) -> duplicates.add(key + " " + earlier + " "
        + later));
    assertEquals(List.of(keys.get(2) + " 2 8", keys.get(2) + " 2 10"), duplicates);
    assertEquals(2, index.positionOf(keys.get(2)));
    assertEquals(9, index.positionOf("other"));
  }
}
