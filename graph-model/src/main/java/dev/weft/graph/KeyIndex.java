package dev.weft.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The position of each task of a graph by its key: an open-addressing table of positions, linear probing, sized once
 * for its tasks at half full at most. It holds an int or two per task where a {@code HashMap<String, Integer>} holds a
 * node and a boxed position (8 bytes instead of 56 per task, which a graph of a million tasks keeps while it runs in the
 * broker scheduler). The keys are the tasks' own, looked up through the list; nothing is copied. Immutable.
 *
 * <p>Keys come from clients, and strings with one hash are easy to make ("Aa" and "BB" hash alike): a table probed
 * linearly would take time quadratic in such keys, which a shared scheduler cannot afford. So an insertion that probes
 * more than {@link #MAX_PROBES} slots (at half full, honest keys need a few) gives the table up for a {@code HashMap},
 * whose bins of colliding strings are trees: more heap, never quadratic.
 */
final class KeyIndex {
  /** Tasks a table can index: its slots, twice the tasks, must be a power of two that an int array holds. */
  static final int MAX_TASKS = 1 << 29;
  /** Probes of one insertion beyond which the keys are taken to collide on purpose. */
  static final int MAX_PROBES = 128;

  private final List<Task> tasks;
  /** Position + 1 of the task whose key hashes to (or was pushed on to) each slot; 0 for an empty slot. */
  private final int[] slots;
  private final int shift;
  /** The positions by key when the table was given up (see the class comment), else null. */
  private final Map<String, Integer> colliding;

  /** A duplicate key: the positions of the first task with it and of a later one. */
  interface Duplicates {
    void found(String key, int earlier, int later);
  }

  /** Indexes {@code tasks}; a later task whose key an earlier one has is left out of the index and told. */
  KeyIndex(List<Task> tasks, Duplicates duplicates) {
    if (tasks.size() > MAX_TASKS) {
      throw new IllegalArgumentException("a graph holds at most " + MAX_TASKS + " tasks, this one " + tasks.size());
    }
    this.tasks = tasks;
    int bits = 1;
    while ((1 << bits) < 2L * tasks.size()) {
      bits++;
    }
    int[] table = new int[1 << bits];
    shift = 32 - bits;
    int mask = table.length - 1;
    boolean given = false;
    List<int[]> repeated = new ArrayList<>(); // told once the table is kept: the fallback tells them afresh
    for (int position = 0; position < tasks.size() && !given; position++) {
      String key = tasks.get(position).key();
      int slot = home(key);
      int probes = 0;
      while (table[slot] != 0 && !tasks.get(table[slot] - 1).key().equals(key) && probes <= MAX_PROBES) {
        slot = (slot + 1) & mask;
        probes++;
      }
      if (probes > MAX_PROBES) {
        given = true;
      } else if (table[slot] != 0) {
        repeated.add(new int[] {table[slot] - 1, position});
      } else {
        table[slot] = position + 1;
      }
    }
    slots = given ? null : table;
    if (!given) {
      for (int[] pair : repeated) {
        duplicates.found(tasks.get(pair[1]).key(), pair[0], pair[1]);
      }
    }
    colliding = given ? byHashMap(tasks, duplicates) : null;
  }

  /** The fallback index; it tells the duplicates, which the given-up table did not. */
  private static Map<String, Integer> byHashMap(List<Task> tasks, Duplicates duplicates) {
    Map<String, Integer> positions = new HashMap<>(tasks.size() * 2);
    for (int position = 0; position < tasks.size(); position++) {
      Integer earlier = positions.putIfAbsent(tasks.get(position).key(), position);
      if (earlier != null) {
        duplicates.found(tasks.get(position).key(), earlier, position);
      }
    }
    return positions;
  }

  /** The position of the task with {@code key}, or -1. */
  int positionOf(String key) {
    if (key == null) {
      return -1;
    }
    if (colliding != null) {
      return colliding.getOrDefault(key, -1);
    }
    int mask = slots.length - 1;
    for (int slot = home(key); slots[slot] != 0; slot = (slot + 1) & mask) {
      if (tasks.get(slots[slot] - 1).key().equals(key)) {
        return slots[slot] - 1;
      }
    }
    return -1;
  }

  /** Slots in the table, for tests of its size; 0 once given up for a {@code HashMap}. */
  int capacity() {
    return slots == null ? 0 : slots.length;
  }

  /**
   * Fibonacci hashing: the high bits of the hash times the golden ratio, so that keys whose hashes differ only in their
   * high bits, or step evenly ("task-1", "task-2", ...), still spread over the table.
   */
  private int home(String key) {
    return (key.hashCode() * 0x9E3779B9) >>> shift;
  }
}
