package dev.tandem.bench;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples in microseconds; not thread-safe (one per writer, merged at the end). */
final class Latencies {

  private long[] values = new long[1024];
  private int size;

  void add(long micros) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = micros;
  }

  void addAll(Latencies other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  int count() {
    return size;
  }

  /** "p50 x ms, p99 y ms, max z ms" over the samples. */
  String summary() {
    if (size == 0) {
      return "no samples";
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", at(sorted, 0.50) / 1000.0,
        at(sorted, 0.99) / 1000.0, sorted[size - 1] / 1000.0, size);
  }

  /** The {@code q} quantile (0..1) in milliseconds; NaN without samples. */
  double quantileMillis(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return at(sorted, q) / 1000.0;
  }

  /** "p50 / p99" in milliseconds, for a table cell. */
  String p50p99() {
    if (size == 0) {
      return "no samples";
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "%s / %s ms", millis(at(sorted, 0.50)), millis(at(sorted, 0.99)));
  }

  private static String millis(long micros) {
    return String.format(Locale.ROOT, micros < 10_000 ? "%.2f" : "%.0f", micros / 1000.0);
  }

  private static long at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
