package dev.weft.graph.internal;

import java.util.Arrays;

/** A growable list of ints that doubles as a stack, for graph walks that must not recurse. */
final class IntList {
  private int[] items;
  private int size;

  IntList(int capacity) {
    items = new int[Math.max(4, capacity)];
  }

  void add(int value) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size++] = value;
  }

  void push(int value) {
    add(value);
  }

  int pop() {
    return items[--size];
  }

  int peek() {
    return items[size - 1];
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int[] toArray() {
    return Arrays.copyOf(items, size);
  }
}
