package dev.tandem.history;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OtException;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.SnapshotRecord;
import dev.tandem.schemas.Topics;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Checks the event log: for every document (or one), versions 0, 1, 2, ... with no gap and no
 * duplicate, every op applies to what came before, and every snapshot equals the content
 * replayed to its version. Stops at the first fault and names it.
 */
public final class Verifier {

  /** What a run found; {@code fault} null when the log is sound. */
  public record Report(long records, long ops, int documents, int snapshots, String fault, double seconds) {
    public boolean ok() {
      return fault == null;
    }
  }

  private static final Comparator<JsonNode> SAME_NUMBERS = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText()));
    }
    return a.equals(b) ? 0 : 1;
  };

  private final LogReader reader;
  private final Topics topics;

  public Verifier(LogReader reader, Topics topics) {
    this.reader = reader;
    this.topics = topics;
  }

  /** Verifies every document, or only {@code only} when not null. */
  public Report verify(DocKey only, Progress progress) {
    long started = System.nanoTime();
    int partitions = reader.partitions(topics.committed());
    long[] records = {0};
    long[] ops = {0};
    int documents = 0;
    int snapshotCount = 0;
    String[] fault = {null};
    for (int p = 0; p < partitions && fault[0] == null; p++) {
      if (only != null && p != LogReader.partitionOf(only, partitions)) {
        continue;
      }
      Map<String, List<SnapshotRecord>> snapshots = snapshots(p, only);
      for (List<SnapshotRecord> l : snapshots.values()) {
        snapshotCount += l.size();
      }
      Map<String, DocState> states = new HashMap<>();
      TopicPartition tp = new TopicPartition(topics.committed(), p);
      reader.scan(tp, 0, r -> {
        records[0]++;
        if (only != null && !only.value().equals(r.key())) {
          return true;
        }
        String where = tp + "@" + r.offset();
        CommittedOp op;
        try {
          op = Records.decode(r.value(), CommittedOp.class);
        } catch (MalformedRecordException | IllegalArgumentException e) {
          fault[0] = "corrupted record at " + where + ": " + e.getMessage();
          return false;
        }
        DocKey key = op.key();
        if (!key.value().equals(r.key())) {
          fault[0] = "record at " + where + " is keyed " + r.key() + " but holds an op of " + key;
          return false;
        }
        DocState state = states.computeIfAbsent(key.value(), k -> new DocState());
        if (!op.versioned()) {
          return true; // a change of the edit locks, at the version it applies to
        }
        if (op.v() != state.version()) {
          fault[0] = key + ": " + (op.v() < state.version() ? "duplicate version" : "version gap") + ": expected v"
              + state.version() + ", found v" + op.v() + " at " + where;
          return false;
        }
        try {
          state.apply(op);
        } catch (OtException e) {
          fault[0] = key + ": op v" + op.v() + " at " + where + " does not apply: " + e.getMessage();
          return false;
        }
        ops[0]++;
        for (SnapshotRecord s : snapshots.getOrDefault(key.value(), List.of())) {
          if (s.v() == state.version() && !sameContent(s, state)) {
            fault[0] = key + ": the snapshot at v" + s.v() + " differs from the content replayed to v" + s.v();
            return false;
          }
        }
        return true;
      }, progress);
      documents += states.size();
      if (fault[0] != null) {
        break;
      }
      for (Map.Entry<String, List<SnapshotRecord>> e : snapshots.entrySet()) {
        DocState state = states.get(e.getKey());
        long end = state == null ? 0 : state.version();
        for (SnapshotRecord s : e.getValue()) {
          if (s.v() > end) {
            fault[0] = e.getKey() + ": a snapshot at v" + s.v() + " but the log ends at v" + end;
            break;
          }
        }
      }
    }
    if (only != null && documents == 0 && fault[0] == null) {
      throw new HistoryException(HistoryException.Kind.UNKNOWN_DOCUMENT, "no document " + only + " in the log");
    }
    return new Report(records[0], ops[0], documents, snapshotCount, fault[0], (System.nanoTime() - started) / 1e9);
  }

  private Map<String, List<SnapshotRecord>> snapshots(int p, DocKey only) {
    Map<String, List<SnapshotRecord>> out = new HashMap<>();
    reader.scan(new TopicPartition(topics.snapshots(), p), 0, r -> {
      if (r.value() == null || Checkpoint.KEY.equals(r.key()) || only != null && !only.value().equals(r.key())) {
        return true;
      }
      try {
        SnapshotRecord s = Records.decode(r.value(), SnapshotRecord.class);
        out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(s);
      } catch (MalformedRecordException | IllegalArgumentException e) {
        // Snapshots are a cache of the log; verify judges the log.
      }
      return true;
    }, Progress.NONE);
    return out;
  }

  private static boolean sameContent(SnapshotRecord s, DocState state) {
    String type = state.type() == null ? null : state.type().uri();
    if (s.type() == null || type == null) {
      return s.type() == null && type == null;
    }
    return (type.equals(s.type()) || state.type().name().equals(s.type())) && state.data().equals(SAME_NUMBERS, s.data());
  }
}
