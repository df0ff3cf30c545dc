package dev.weft.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/** Order statistics of repeated measurements. */
record Stats(double median, double min, double max, int samples) {
  static Stats of(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Stats(median, sorted[0], sorted[n - 1], n);
  }

  String format(String unit) {
    return String.format(Locale.ROOT, "%8.3f %s (min %.3f, max %.3f, n=%d)", median, unit, min, max, samples);
  }
}
