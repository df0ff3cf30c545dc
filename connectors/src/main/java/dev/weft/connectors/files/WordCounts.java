package dev.weft.connectors.files;

import dev.weft.connectors.Words;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The words of a block's lines and how often each occurs, as {@code [word, count]} pairs in the order words first
 * occur: what splitting each line into {@link Words} and counting them gives, without a string per word. A word is
 * counted by its UTF-8 bytes, straight from the read buffer; a string is made once per distinct word. A line with
 * bytes beyond ASCII is decoded (and checked to be UTF-8) and split as a string, since whitespace beyond ASCII
 * separates words too.
 */
final class WordCounts implements LineScanner.ByteLineHandler {
  private static final long HIGH_BITS = 0x8080808080808080L;

  private int[] slots = new int[1024]; // open addressing: 1 + the index of a word, 0 for a free slot
  private byte[][] words = new byte[512][];
  private int[] hashes = new int[512];
  private long[] counts = new long[512];
  private int size;

  static List<Object> of(TextBlock block) throws java.io.IOException {
    WordCounts counts = new WordCounts();
    LineScanner.scanBytes(block, counts);
    return counts.pairs();
  }

  @Override
  public void accept(LineScanner scanner, byte[] bytes, int from, int to) {
    if (!ascii(bytes, from, to)) {
      for (String word : Words.split(scanner.decode(from, to))) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        add(utf8, 0, utf8.length);
      }
      return;
    }
    int start = -1;
    for (int i = from; i < to; i++) {
      if (Words.isSpace(bytes[i])) {
        if (start >= 0) {
          add(bytes, start, i);
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      add(bytes, start, to);
    }
  }

  private static boolean ascii(byte[] bytes, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      if (((long) LONGS.get(bytes, i) & HIGH_BITS) != 0) {
        return false;
      }
    }
    for (; i < to; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
      long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private void add(byte[] bytes, int from, int to) {
    int hash = 1;
    for (int i = from; i < to; i++) {
      hash = 31 * hash + bytes[i];
    }
    int mask = slots.length - 1;
    int slot = (hash ^ (hash >>> 16)) & mask;
    while (true) {
      int entry = slots[slot] - 1;
      if (entry < 0) {
        insert(slot, hash, Arrays.copyOfRange(bytes, from, to));
        return;
      }
      if (hashes[entry] == hash && Arrays.equals(words[entry], 0, words[entry].length, bytes, from, to)) {
        counts[entry]++;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  private void insert(int slot, int hash, byte[] word) {
    if (size == words.length) {
      words = Arrays.copyOf(words, size * 2);
      hashes = Arrays.copyOf(hashes, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    words[size] = word;
    hashes[size] = hash;
    counts[size] = 1;
    slots[slot] = ++size;
    if (size * 2 > slots.length) {
      rehash();
    }
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    int mask = slots.length - 1;
    for (int entry = 0; entry < size; entry++) {
      int slot = (hashes[entry] ^ (hashes[entry] >>> 16)) & mask;
      while (slots[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = entry + 1;
    }
  }

  private List<Object> pairs() {
    List<Object> pairs = new ArrayList<>(size);
    for (int entry = 0; entry < size; entry++) {
      pairs.add(Arrays.asList(new String(words[entry], StandardCharsets.UTF_8), counts[entry]));
    }
    return pairs;
  }
}
