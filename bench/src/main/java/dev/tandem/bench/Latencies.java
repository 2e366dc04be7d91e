package dev.tandem.bench;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Latency samples in microseconds, kept in a histogram (three significant digits, up to an
 * hour), so millions of samples cost neither memory nor garbage on the event loops that record
 * them. Not thread-safe: one per writer, merged at the end.
 */
final class Latencies {

  private static final long MAX_MICROS = 3_600_000_000L;
  private final Histogram histogram = new Histogram(MAX_MICROS, 3);

  void add(long micros) {
    histogram.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
  }

  void addAll(Latencies other) {
    histogram.add(other.histogram);
  }

  long count() {
    return histogram.getTotalCount();
  }

  /** "p50 x ms, p99 y ms, max z ms" over the samples. */
  String summary() {
    if (count() == 0) {
      return "no samples";
    }
    return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
        histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
        histogram.getMaxValue() / 1000.0, count());
  }
}
