package dev.tandem.history;

import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.Topics;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/** Ops per document, per user (the op's user, else its client id) and per hour, over the whole log. */
public final class Stats {

  final Map<String, Long> perDocument = new HashMap<>();
  final Map<String, Long> perUser = new HashMap<>();
  final Map<String, Long> perHour = new TreeMap<>();
  long total;
  long corrupted;

  public static Stats read(LogReader reader, Topics topics, Progress progress) {
    Stats s = new Stats();
    int partitions = reader.partitions(topics.committed());
    for (int p = 0; p < partitions; p++) {
      reader.scan(new TopicPartition(topics.committed(), p), 0, r -> {
        try {
          s.add(Records.decode(r.value(), CommittedOp.class));
        } catch (MalformedRecordException | IllegalArgumentException e) {
          s.corrupted++;
        }
        return true;
      }, progress);
    }
    return s;
  }

  void add(CommittedOp op) {
    if (!op.versioned()) {
      return; // edit locks are not ops
    }
    total++;
    perDocument.merge(op.key().value(), 1L, Long::sum);
    perUser.merge(op.user() != null ? op.user() : "client " + op.src(), 1L, Long::sum);
    perHour.merge(Instant.ofEpochMilli(op.ts()).truncatedTo(ChronoUnit.HOURS).toString(), 1L, Long::sum);
  }

  public long total() {
    return total;
  }

  public Map<String, Long> perDocument() {
    return perDocument;
  }

  public void print(PrintWriter out, int top) {
    out.printf("%,d ops, %,d documents, %,d users%s%n", total, perDocument.size(), perUser.size(),
        corrupted > 0 ? ", " + corrupted + " corrupted records skipped" : "");
    table(out, "ops per document", perDocument, top);
    table(out, "ops per user", perUser, top);
    out.println("ops per hour (UTC):");
    perHour.forEach((hour, n) -> out.printf("  %-22s %,12d%n", hour, n));
    out.flush();
  }

  private static void table(PrintWriter out, String title, Map<String, Long> counts, int top) {
    out.println(title + (counts.size() > top ? " (top " + top + " of " + counts.size() + ")" : "") + ":");
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(top)
        .forEach(e -> out.printf("  %-40s %,12d%n", e.getKey(), e.getValue()));
  }
}
