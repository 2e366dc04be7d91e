package dev.tandem.history;

import java.io.PrintStream;
import java.util.Locale;
import org.apache.kafka.common.TopicPartition;

/** Reports how far a long read is; {@link #NONE} for callers that do not show it. */
public interface Progress {

  Progress NONE = (tp, done, total) -> { };

  void at(TopicPartition tp, long done, long total);

  /** A bar on {@code out} (stderr), shown once a read has taken more than two seconds. */
  static Progress bar(PrintStream out) {
    long started = System.currentTimeMillis();
    return new Progress() {
      long lastDrawn;

      @Override
      public void at(TopicPartition tp, long done, long total) {
        long now = System.currentTimeMillis();
        if (now - started < 2_000 || now - lastDrawn < 200) {
          return;
        }
        lastDrawn = now;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * Math.min(1.0, done / (double) total));
        out.printf(Locale.ROOT, "\r%s [%s%s] %,d/%,d records %s", tp, "#".repeat(filled), " ".repeat(width - filled), done,
            total, done >= total ? "\n" : "");
        out.flush();
      }
    };
  }
}
