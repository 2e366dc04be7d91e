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
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One document's history, read from the event log: its content at any version or time (from
 * the nearest snapshot at or before it, plus the ops after), and its ops as they were committed.
 */
public final class DocHistory {

  /**
   * A document at a point of its history.
   *
   * @param known whether the log holds anything of the document
   * @param type the type uri, null when the document does not exist at that point
   * @param ts commit time of the last op applied (0 when none)
   */
  public record Snapshot(DocKey key, boolean known, long v, String type, JsonNode data, long ts) {}

  /** A committed op with where it is in the log. */
  public record LoggedOp(CommittedOp op, long offset, long timestamp) {}

  private final LogReader reader;
  private final Topics topics;

  public DocHistory(LogReader reader, Topics topics) {
    this.reader = reader;
    this.topics = topics;
  }

  /**
   * The document after {@code version} ops (null: all), or after every op committed at or before
   * {@code timestamp} (epoch millis; null: no limit).
   *
   * @throws HistoryException when {@code version} is past the end, or a record is corrupted
   */
  public Snapshot at(DocKey key, Long version, Long timestamp, Progress progress) {
    int p = LogReader.partitionOf(key, reader.partitions(topics.committed()));
    SnapshotRecord base = nearestSnapshot(key, p, version, timestamp);
    DocState state = new DocState();
    long from = 0;
    boolean[] known = {base != null};
    if (base != null) {
      state.load(base);
      from = base.offset() + 1;
    }
    TopicPartition tp = new TopicPartition(topics.committed(), p);
    reader.scan(tp, from, r -> {
      if (!key.value().equals(r.key())) {
        return true;
      }
      CommittedOp op = decode(r);
      known[0] = true;
      if (op.v() < state.version()) {
        return true;
      }
      if (version != null && op.v() >= version || timestamp != null && op.ts() > timestamp) {
        return false;
      }
      try {
        state.apply(op);
      } catch (OtException | IllegalStateException e) {
        throw new HistoryException(HistoryException.Kind.CORRUPTED, key + ": the op at " + tp + "@" + r.offset() + " does not replay: " + e.getMessage());
      }
      return true;
    }, progress);
    if (version != null && state.version() < version) {
      throw new HistoryException(HistoryException.Kind.PAST_THE_END, "version " + version + " is past the end: " + key + " is at version "
          + state.version());
    }
    return new Snapshot(key, known[0], state.version(), state.type() == null ? null : state.type().uri(), state.data(),
        state.lastTimestamp());
  }

  /**
   * Streams the ops with versions in {@code [from, to)} (to null: to the end) to {@code sink},
   * until it returns false.
   */
  public void ops(DocKey key, long from, Long to, Predicate<LoggedOp> sink, Progress progress) {
    int p = LogReader.partitionOf(key, reader.partitions(topics.committed()));
    SnapshotRecord base = nearestSnapshot(key, p, from, null);
    long start = base == null ? 0 : base.offset() + 1;
    TopicPartition tp = new TopicPartition(topics.committed(), p);
    reader.scan(tp, start, r -> {
      if (!key.value().equals(r.key())) {
        return true;
      }
      CommittedOp op = decode(r);
      if (!op.versioned()) {
        return true; // a change of the edit locks, not an op
      }
      if (op.v() < from) {
        return true;
      }
      if (to != null && op.v() >= to) {
        return false;
      }
      return sink.test(new LoggedOp(op, r.offset(), r.timestamp()));
    }, progress);
  }

  /** The latest snapshot of the document at or before {@code version} and {@code timestamp}, or null. */
  private SnapshotRecord nearestSnapshot(DocKey key, int p, Long version, Long timestamp) {
    SnapshotRecord[] best = {null};
    reader.scan(new TopicPartition(topics.snapshots(), p), 0, r -> {
      if (r.value() == null || Checkpoint.KEY.equals(r.key()) || !key.value().equals(r.key())) {
        return true;
      }
      try {
        SnapshotRecord s = Records.decode(r.value(), SnapshotRecord.class);
        if ((version == null || s.v() <= version) && (timestamp == null || s.ts() <= timestamp)
            && (best[0] == null || s.v() > best[0].v())) {
          best[0] = s;
        }
      } catch (MalformedRecordException | IllegalArgumentException e) {
        // A broken snapshot only costs a longer replay.
      }
      return true;
    }, Progress.NONE);
    return best[0];
  }

  private static CommittedOp decode(ConsumerRecord<String, byte[]> r) {
    try {
      return Records.decode(r.value(), CommittedOp.class);
    } catch (MalformedRecordException | IllegalArgumentException e) {
      throw new HistoryException(HistoryException.Kind.CORRUPTED, "corrupted record at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": "
          + e.getMessage());
    }
  }
}
