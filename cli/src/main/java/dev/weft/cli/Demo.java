package dev.weft.cli;

import static dev.weft.function.builtin.BuiltinFunctions.MUL;
import static dev.weft.function.builtin.BuiltinFunctions.SUM;

import dev.weft.graph.Delayed;
import dev.weft.graph.DelayedBuilder;
import dev.weft.graph.Graph;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's demo graph: the sum of the squares of 0..n-1, squared one task each and summed in chunks, as a
 * delayed-style program. The answer is known in closed form, so the demo checks itself.
 */
final class Demo {
  private Demo() {}

  static Graph sumOfSquares(int n, int chunk) {
    DelayedBuilder b = new DelayedBuilder();
    List<Delayed<Number>> partials = new ArrayList<>();
    for (int start = 0; start < n; start += chunk) {
      List<Delayed<Number>> squares = new ArrayList<>();
      for (long i = start; i < Math.min(n, start + chunk); i++) {
        squares.add(b.call(MUL, i, i));
      }
      partials.add(b.key("partial-" + start / chunk).call(SUM, squares));
    }
    return b.build(b.key("total").call(SUM, partials));
  }

  static long expected(long n) {
    return (n - 1) * n * (2 * n - 1) / 6;
  }
}
