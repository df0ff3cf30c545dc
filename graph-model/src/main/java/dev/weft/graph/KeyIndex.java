package dev.weft.graph;

import java.util.List;

/**
 * The position of each task of a graph by its key: an open-addressing table of positions, linear probing, sized once
 * for its tasks at half full at most. It holds an int or two per task where a {@code HashMap<String, Integer>} holds a
 * node and a boxed position (8 bytes instead of 56 per task, which a graph of a million tasks keeps while it runs in the
 * broker scheduler). The keys are the tasks' own, looked up through the list; nothing is copied. Immutable.
 */
final class KeyIndex {
  private final List<Task> tasks;
  /** Position + 1 of the task whose key hashes to (or was pushed on to) each slot; 0 for an empty slot. */
  private final int[] slots;
  private final int shift;

  /** A duplicate key: the positions of the first task with it and of a later one. */
  interface Duplicates {
    void found(String key, int earlier, int later);
  }

  /** Indexes {@code tasks}; a later task whose key an earlier one has is left out of the index and told. */
  KeyIndex(List<Task> tasks, Duplicates duplicates) {
    this.tasks = tasks;
    int bits = 1;
    while ((1 << bits) < 2L * tasks.size()) {
      bits++;
    }
    slots = new int[1 << bits];
    shift = 32 - bits;
    int mask = slots.length - 1;
    for (int position = 0; position < tasks.size(); position++) {
      String key = tasks.get(position).key();
      int slot = home(key);
      while (slots[slot] != 0 && !tasks.get(slots[slot] - 1).key().equals(key)) {
        slot = (slot + 1) & mask;
      }
      if (slots[slot] != 0) {
        duplicates.found(key, slots[slot] - 1, position);
      } else {
        slots[slot] = position + 1;
      }
    }
  }

  /** The position of the task with {@code key}, or -1. */
  int positionOf(String key) {
    int mask = slots.length - 1;
    for (int slot = home(key); slots[slot] != 0; slot = (slot + 1) & mask) {
      if (tasks.get(slots[slot] - 1).key().equals(key)) {
        return slots[slot] - 1;
      }
    }
    return -1;
  }

  /** Slots in the table, for tests of its size. */
  int capacity() {
    return slots.length;
  }

  /**
   * Fibonacci hashing: the high bits of the hash times the golden ratio, so that keys whose hashes differ only in their
   * high bits, or step evenly ("task-1", "task-2", ...), still spread over the table.
   */
  private int home(String key) {
    return (key.hashCode() * 0x9E3779B9) >>> shift;
  }
}
