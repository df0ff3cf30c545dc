package dev.weft.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text scrape, read into its samples: enough of the format to check what a service counts. */
final class Scrape {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  private final String text;
  private final List<Sample> samples = new ArrayList<>();

  Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line.trim());
      if (!sample.matches()) {
        throw new IllegalArgumentException("not a sample: " + line);
      }
      Map<String, String> labels = new HashMap<>();
      if (sample.group(3) != null) {
        Matcher label = LABEL.matcher(sample.group(3));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(4))));
    }
  }

  /** The samples of {@code name} summed by the value of their label {@code label}. */
  Map<String, Double> byLabel(String name, String label) {
    Map<String, Double> sums = new LinkedHashMap<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name) && sample.labels().containsKey(label)) {
        sums.merge(sample.labels().get(label), sample.value(), Double::sum);
      }
    }
    return sums;
  }

  /** The samples of {@code name} summed, 0 if there is none. */
  double sum(String name) {
    return samples.stream().filter(sample -> sample.name().equals(name)).mapToDouble(Sample::value).sum();
  }

  boolean has(String name) {
    return samples.stream().anyMatch(sample -> sample.name().equals(name));
  }

  /** The first line that starts with {@code prefix}, for a test's log; null if none. */
  String line(String prefix) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    return null;
  }

  /** How each function's count of {@code name} went from {@code before} to {@code after}, for functions it moved. */
  static Map<String, Double> advanced(Scrape before, Scrape after, String name) {
    Map<String, Double> moved = new HashMap<>();
    Map<String, Double> earlier = before.byLabel(name, "function");
    after.byLabel(name, "function").forEach((function, count) -> {
      double delta = count - earlier.getOrDefault(function, 0.0);
      if (delta != 0) {
        moved.put(function, delta);
      }
    });
    return moved;
  }
}
