package dev.weft.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The data {@link BagBenchmark} reads, generated deterministically into a folder and reused while its marker file
 * names the same parameters; and the answers computed by plain Java, without Weft, on one or two threads.
 *
 * <p>Word count: {@value #WORD_FILES} text files of about {@value #WORD_FILE_BYTES} bytes, lines of about 91 bytes,
 * words drawn with a Zipf skew (exponent 1) from a vocabulary of {@value #VOCABULARY} random lowercase words. JSON:
 * {@value #JSON_RECORDS} records such as {@code {"id": 17, "name": "alice", "amount": 12.5}} in {@value #JSON_FILES}
 * files, one per line, names drawn with a Zipf skew from {@link #NAMES}.
 */
final class BagData {
  static final long SEED = 20_260_101L;
  static final int WORD_FILES = 16;
  static final int WORD_FILE_BYTES = 8_000_000;
  static final int VOCABULARY = 4_000;
  static final int JSON_FILES = 16;
  static final int JSON_RECORDS = 1_000_000;
  static final List<String> NAMES = List.of("alice", "bob", "charlie", "dave", "eve", "frank", "grace", "heidi",
      "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe");
  static final String WORDS_GLOB = "words-*.txt";
  static final String JSON_GLOB = "people-*.json";
  private static final String MARKER = "bag-data.properties";
  private static final ObjectMapper JSON = new ObjectMapper();

  private BagData() {}

  /** What the marker file says of the data: generated again when this changes. */
  private static String parameters() {
    return "version=2\nseed=" + SEED + "\nwordFiles=" + WORD_FILES + "\nwordFileBytes=" + WORD_FILE_BYTES
        + "\nvocabulary=" + VOCABULARY + "\njsonFiles=" + JSON_FILES + "\njsonRecords=" + JSON_RECORDS + "\n";
  }

  /** Generates the data into {@code folder} unless it is there already; says which on {@code log}. */
  static void prepare(Path folder, java.io.PrintStream log) throws IOException {
    Path marker = folder.resolve(MARKER);
    if (Files.isRegularFile(marker) && Files.readString(marker).equals(parameters())) {
      log.println("# data: reusing " + folder);
      return;
    }
    long start = System.nanoTime();
    Files.createDirectories(folder);
    Files.deleteIfExists(marker);
    for (Path old : files(folder, WORDS_GLOB)) {
      Files.delete(old);
    }
    for (Path old : files(folder, JSON_GLOB)) {
      Files.delete(old);
    }
    SplittableRandom root = new SplittableRandom(SEED);
    List<String> vocabulary = vocabulary(root.split());
    double[] wordCdf = zipfCdf(vocabulary.size());
    double[] nameCdf = zipfCdf(NAMES.size());
    // One generator per file, split in file order, so the files do not depend on the order they are written in.
    List<SplittableRandom> wordRandoms = new ArrayList<>();
    for (int i = 0; i < WORD_FILES; i++) {
      wordRandoms.add(root.split());
    }
    List<SplittableRandom> jsonRandoms = new ArrayList<>();
    for (int i = 0; i < JSON_FILES; i++) {
      jsonRandoms.add(root.split());
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < WORD_FILES; i++) {
        int file = i;
        writes.add(pool.submit(() -> writeWords(folder.resolve(name(WORDS_GLOB, file)), wordRandoms.get(file),
            vocabulary, wordCdf)));
      }
      for (int i = 0; i < JSON_FILES; i++) {
        int file = i;
        writes.add(pool.submit(() -> writePeople(folder.resolve(name(JSON_GLOB, file)), jsonRandoms.get(file), file,
            nameCdf)));
      }
      for (Future<?> write : writes) {
        write.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating the data", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("generating the data failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdown();
    }
    Files.writeString(marker, parameters());
    log.printf(java.util.Locale.ROOT, "# data: generated into %s in %.1f s%n", folder,
        (System.nanoTime() - start) / 1e9);
  }

  /** {@code words-07.txt} for the glob {@code words-*.txt}: zero-padded, so that path order is number order. */
  private static String name(String glob, int file) {
    return glob.replace("*", String.format(java.util.Locale.ROOT, "%02d", file));
  }

  /** The files of {@code folder} that {@code glob} matches, in path order. */
  static List<Path> files(Path folder, String glob) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, glob)) {
      stream.forEach(files::add);
    }
    files.sort(null);
    return files;
  }

  private static List<String> vocabulary(SplittableRandom random) {
    LinkedHashSet<String> words = new LinkedHashSet<>();
    while (words.size() < VOCABULARY) {
      int length = 2 + random.nextInt(9);
      StringBuilder word = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        word.append((char) ('a' + random.nextInt(26)));
      }
      words.add(word.toString());
    }
    return new ArrayList<>(words);
  }

  /** The cumulative probabilities of ranks 1..n with weights 1/rank. */
  private static double[] zipfCdf(int n) {
    double[] cdf = new double[n];
    double total = 0;
    for (int rank = 1; rank <= n; rank++) {
      total += 1.0 / rank;
      cdf[rank - 1] = total;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= total;
    }
    cdf[n - 1] = 1.0;
    return cdf;
  }

  private static int draw(SplittableRandom random, double[] cdf) {
    int at = Arrays.binarySearch(cdf, random.nextDouble());
    return at >= 0 ? at : -at - 1;
  }

  private static Void writeWords(Path file, SplittableRandom random, List<String> vocabulary, double[] cdf)
      throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      StringBuilder line = new StringBuilder(160);
      long written = 0;
      while (written < WORD_FILE_BYTES) {
        line.setLength(0);
        int target = 56 + random.nextInt(62); // with the last word's overshoot and the newline: about 91 bytes
        while (line.length() < target) {
          if (line.length() > 0) {
            line.append(' ');
          }
          line.append(vocabulary.get(draw(random, cdf)));
        }
        line.append('\n');
        byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        written += bytes.length;
      }
    }
    return null;
  }

  private static Void writePeople(Path file, SplittableRandom random, int fileIndex, double[] cdf)
      throws IOException {
    int perFile = JSON_RECORDS / JSON_FILES;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (int i = 0; i < perFile; i++) {
        long id = (long) fileIndex * perFile + i;
        double amount = (1 + random.nextInt(999_999)) / 100.0;
        String line = "{\"id\": " + id + ", \"name\": \"" + NAMES.get(draw(random, cdf)) + "\", \"amount\": "
            + amount + "}\n";
        out.write(line.getBytes(StandardCharsets.US_ASCII));
      }
    }
    return null;
  }

  // ---- the answers by plain Java

  /** Every word of the word files and how often it occurs, read and counted on {@code threads} threads. */
  static Map<String, Long> wordCounts(Path folder, int threads) throws Exception {
    return count(files(folder, WORDS_GLOB), threads, (line, counts) -> {
      int length = line.length();
      int start = -1;
      for (int i = 0; i <= length; i++) {
        if (i == length || Character.isWhitespace(line.charAt(i))) {
          if (start >= 0) {
            counts.computeIfAbsent(line.substring(start, i), k -> new long[1])[0]++;
            start = -1;
          }
        } else if (start < 0) {
          start = i;
        }
      }
    });
  }

  /**
   * As {@link #wordCounts}, on bytes: each file read whole, words split at ASCII whitespace and control bytes (the
   * files are ASCII) and counted in an open-addressing table keyed by their bytes, a string made only for each distinct
   * word of a thread. About the fastest a JVM counts these words: the physical limit of the job on this machine.
   */
  static Map<String, Long> wordCountsFromBytes(Path folder, int threads) throws Exception {
    List<ByteCounts> tables = onThreads(files(folder, WORDS_GLOB), threads, "plain-java-bytes", ByteCounts::new,
        (file, table) -> {
          byte[] bytes = Files.readAllBytes(file);
          int start = -1;
          int hash = 0;
          for (int j = 0; j <= bytes.length; j++) {
            if (j == bytes.length || bytes[j] <= ' ') {
              if (start >= 0) {
                table.add(bytes, start, j, hash);
                start = -1;
              }
            } else {
              if (start < 0) {
                start = j;
                hash = 0;
              }
              hash = 31 * hash + bytes[j];
            }
          }
        });
    Map<String, Long> merged = new HashMap<>();
    for (ByteCounts table : tables) {
      table.addTo(merged);
    }
    return merged;
  }

  /** Counts of byte strings: linear probing, doubling at half full. */
  private static final class ByteCounts {
    private byte[][] keys = new byte[1 << 12][];
    private int[] hashes = new int[1 << 12];
    private long[] counts = new long[1 << 12];
    private int size;

    void add(byte[] bytes, int from, int to, int hash) {
      int mask = keys.length - 1;
      for (int i = hash & mask; ; i = (i + 1) & mask) {
        byte[] key = keys[i];
        if (key == null) {
          keys[i] = Arrays.copyOfRange(bytes, from, to);
          hashes[i] = hash;
          counts[i] = 1;
          if (++size > keys.length / 2) {
            grow();
          }
          return;
        }
        if (hashes[i] == hash && Arrays.equals(key, 0, key.length, bytes, from, to)) {
          counts[i]++;
          return;
        }
      }
    }

    private void grow() {
      byte[][] oldKeys = keys;
      int[] oldHashes = hashes;
      long[] oldCounts = counts;
      keys = new byte[oldKeys.length * 2][];
      hashes = new int[keys.length];
      counts = new long[keys.length];
      int mask = keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldKeys[j] != null) {
          int i = oldHashes[j] & mask;
          while (keys[i] != null) {
            i = (i + 1) & mask;
          }
          keys[i] = oldKeys[j];
          hashes[i] = oldHashes[j];
          counts[i] = oldCounts[j];
        }
      }
    }

    void addTo(Map<String, Long> merged) {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != null) {
          merged.merge(new String(keys[i], StandardCharsets.US_ASCII), counts[i], Long::sum);
        }
      }
    }
  }

  /** Each name of the JSON records and how often it occurs, each line parsed whole as JSON (as Python's json). */
  static Map<String, Long> nameCounts(Path folder, int threads) throws Exception {
    return count(files(folder, JSON_GLOB), threads, (line, counts) -> {
      try {
        Object name = JSON.readValue(line, Map.class).get("name");
        counts.computeIfAbsent((String) name, k -> new long[1])[0]++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * Reads the files' lines on {@code threads} threads, each taking the next file not yet taken and counting into a
   * map of its own, then merges the maps.
   */
  private static Map<String, Long> count(List<Path> files, int threads, BiConsumer<String, Map<String, long[]>> counter)
      throws Exception {
    if (files.isEmpty()) {
      throw new IllegalStateException("no files to read");
    }
    List<Map<String, long[]>> partials = onThreads(files, threads, "plain-java", HashMap::new, (file, counts) -> {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          counter.accept(line, counts);
        }
      }
    });
    Map<String, Long> merged = new HashMap<>();
    for (Map<String, long[]> counts : partials) {
      counts.forEach((key, count) -> merged.merge(key, count[0], Long::sum));
    }
    return merged;
  }

  /** The {@code k} most frequent of {@code counts} as {@code [word, count]} pairs, most frequent first. */
  static List<List<Object>> top(Map<String, Long> counts, int k) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    List<List<Object>> top = new ArrayList<>();
    for (Map.Entry<String, Long> entry : entries.subList(0, Math.min(k, entries.size()))) {
      top.add(List.of(entry.getKey(), entry.getValue()));
    }
    return top;
  }

  /** What a thread does with one file, into the state of its own. */
  @FunctionalInterface
  private interface FileWork<S> {
    void accept(Path file, S state) throws Exception;
  }

  /**
   * Runs {@code work} over {@code files} on {@code threads} threads, each taking the next file not yet taken into a
   * state of its own; returns the states, one a thread, once every thread is done.
   *
   * @throws IllegalStateException carrying the first failure of any thread
   */
  private static <S> List<S> onThreads(List<Path> files, int threads, String name, Supplier<S> state,
      FileWork<S> work) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    List<S> states = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      S own = state.get();
      states.add(own);
      Thread worker = new Thread(() -> {
        try {
          for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
            work.accept(files.get(i), own);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }, name + "-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("plain Java counting failed", failures.get(0));
    }
    return states;
  }
}
