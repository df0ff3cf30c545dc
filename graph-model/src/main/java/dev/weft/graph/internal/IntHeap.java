package dev.weft.graph.internal;

import java.util.Arrays;

/** A binary min-heap of ints: ready tasks by rank, for the schedulers' loops. Not thread-safe. */
public final class IntHeap {
  private int[] heap;
  private int size;

  public IntHeap(int capacity) {
    heap = new int[Math.max(16, capacity)];
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int size() {
    return size;
  }

  public void add(int value) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= value) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = value;
  }

  /** The smallest value, which stays in the heap. */
  public int peek() {
    return heap[0];
  }

  /** Removes and returns the smallest value. */
  public int poll() {
    int top = heap[0];
    int last = heap[--size];
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right] < heap[child]) {
        child = right;
      }
      if (last <= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
