package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.PartitionState.SnapshotRef;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.SnapshotRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a partition an instance takes over (or must restore after an aborted transaction):
 * the snapshot index and the newest checkpoint, then every document touched since the
 * checkpoint's replay point, and the history windows refilled from the ops before their
 * snapshots. A document whose stored state does not load or replay is set aside
 * ({@link ResidentDocuments#setAside}); the rest of the partition is rebuilt regardless.
 */
final class PartitionRebuilder {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionRebuilder.class);

  private final OtServiceConfig config;
  private final ResidentDocuments docs;
  private final Runnable beat;

  /** {@code beat} is called now and then during long scans: the loop is working, not stuck. */
  PartitionRebuilder(OtServiceConfig config, ResidentDocuments docs, Runnable beat) {
    this.config = config;
    this.docs = docs;
    this.beat = beat;
  }

  PartitionState rebuild(KafkaClients clients, int partition) {
    long started = System.nanoTime();
    PartitionState ps = new PartitionState(partition);
    long replayFrom = indexSnapshots(clients, ps);
    TopicPartition log = new TopicPartition(config.topics().committed(), partition);
    int[] replayed = {0};
    Map<DocKey, List<CommittedOp>> history = new HashMap<>();
    ps.logEnd = clients.log.scan(log, replayFrom, r -> {
      if (replay(ps, r, history)) {
        replayed[0]++;
      }
      if ((replayed[0] & 1023) == 0) {
        beat.run();
      }
    });
    history.forEach((key, ops) -> {
      var resident = ps.docs.get(key);
      if (resident != null) {
        resident.doc.prependHistory(ops);
      }
    });
    ps.pastEnds.add(replayFrom);
    LOG.info("partition {} rebuilt in {} ms: {} snapshots indexed, {} ops applied and {} read for history from offset {}"
        + "{}", partition, (System.nanoTime() - started) / 1_000_000, ps.snapshots.size(), replayed[0],
        history.values().stream().mapToInt(List::size).sum(), replayFrom,
        ps.unavailable.isEmpty() ? "" : ", " + ps.unavailable.size() + " documents unavailable");
    return ps;
  }

  /** Indexes every snapshot of the partition; returns where the newest checkpoint says to replay from. */
  private long indexSnapshots(KafkaClients clients, PartitionState ps) {
    long[] checkpoint = {0, 0};
    TopicPartition snaps = new TopicPartition(config.topics().snapshots(), ps.partition);
    docs.attach(clients.snapshots);
    clients.snapshots.scan(snaps, 0, r -> {
      if (r.value() == null) {
        return;
      }
      try {
        if (Checkpoint.KEY.equals(r.key())) {
          Checkpoint cp = Records.decode(r.value(), Checkpoint.class);
          if (cp.offset() >= checkpoint[0]) {
            checkpoint[0] = cp.offset();
            checkpoint[1] = cp.replayFrom();
          }
          return;
        }
        SnapshotRecord s = Records.decode(r.value(), SnapshotRecord.class);
        SnapshotRef known = ps.snapshots.get(s.key());
        if (known == null || known.version() <= s.v()) {
          ps.snapshots.put(s.key(), new SnapshotRef(r.offset(), s.v()));
        }
      } catch (MalformedRecordException | IllegalArgumentException e) {
        LOG.warn("skipping malformed snapshot record at {}-{}: {}", snaps, r.offset(), e.getMessage());
      }
    });
    return checkpoint[1];
  }

  /** Applies one record of the event log; false when it was history, skipped or set its document aside. */
  private boolean replay(PartitionState ps, ConsumerRecord<String, byte[]> r, Map<DocKey, List<CommittedOp>> history) {
    CommittedOp op;
    try {
      op = Records.decode(r.value(), CommittedOp.class);
    } catch (MalformedRecordException | IllegalArgumentException e) {
      Optional<DocKey> key = keyOf(r.key());
      String reason = "the event log holds a malformed record at offset " + r.offset() + ": " + e.getMessage();
      if (key.isPresent()) {
        docs.setAside(ps, key.get(), reason);
      } else {
        LOG.error("partition {}: {} (no document key; skipped)", ps.partition, reason);
      }
      return false;
    }
    Optional<DocumentState> loaded = docs.document(ps, op.key());
    if (loaded.isEmpty()) {
      return false;
    }
    DocumentState doc = loaded.get();
    if (op.v() < doc.version()) {
      history.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      return false;
    }
    if (op.v() > doc.version()) {
      docs.setAside(ps, op.key(), "event log gap: have version " + doc.version() + ", next op in the log is v" + op.v()
          + " at offset " + r.offset());
      return false;
    }
    try {
      doc.apply(op);
    } catch (KafkaException e) {
      throw e;
    } catch (RuntimeException e) {
      docs.setAside(ps, op.key(), "op v" + op.v() + " at offset " + r.offset() + " does not apply: " + e.getMessage());
      return false;
    }
    doc.offsetOf(r.offset());
    return true;
  }

  private static Optional<DocKey> keyOf(String key) {
    try {
      return key == null ? Optional.empty() : Optional.of(DocKey.parse(key));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
