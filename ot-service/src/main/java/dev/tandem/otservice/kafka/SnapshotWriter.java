package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.PartitionState.Resident;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.Records;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes snapshots and checkpoints into the open transaction, one document at a time: a
 * document whose snapshot cannot be encoded or is larger than a record may be is passed over
 * (and not tried again until it changes), never failing the transaction, the other documents'
 * snapshots, or the checkpoint. A document's snapshot counts as written only once its
 * transaction commits ({@link #landed}), and only then goes into the partition's local store; an
 * aborted transaction leaves every document dirty and the store as it was.
 *
 * <p>The checkpoint's replay point covers what a new owner needs: the log ends of the last few
 * flushes (to refill history windows), and for every changed document without a snapshot in
 * this transaction, its first op after its last snapshot.
 */
final class SnapshotWriter {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotWriter.class);
  /** A new owner refills history windows with the ops of about this many flush intervals. */
  private static final int HISTORY_FLUSHES = 12;
  /** Room for the record's key and headers under the producer's request limit. */
  private static final int MAX_SNAPSHOT_BYTES = KafkaClients.MAX_RECORD_BYTES - 64 * 1024;

  /** A snapshot sent in the current transaction, waiting for its offset. */
  private record Pending(PartitionState ps, DocumentState doc, long version, long revision, byte[] bytes,
      Future<RecordMetadata> sent) {}

  /** A checkpoint sent in the current transaction: once committed, the store holds everything before it. */
  private record PendingCheckpoint(byte[] bytes, Future<RecordMetadata> sent) {}

  private final OtServiceConfig config;
  private final Outbox out;
  private final List<Pending> pending = new ArrayList<>();
  private final Map<PartitionState, PendingCheckpoint> checkpoints = new LinkedHashMap<>();
  private final Set<DocumentState> inThisTransaction = Collections.newSetFromMap(new IdentityHashMap<>());

  SnapshotWriter(OtServiceConfig config, Outbox out) {
    this.config = config;
    this.out = out;
  }

  /** A snapshot of {@code doc} if it is {@code snapshotEvery} versions past its last one. */
  void writeDue(PartitionState ps, DocumentState doc, long now) {
    if (doc.version() - doc.lastSnapshotVersion() >= config.snapshotEvery()) {
      write(ps, doc, now);
    }
  }

  /** Snapshots of every changed document of {@code ps}. */
  void writeChanged(PartitionState ps, long now) {
    for (Resident r : ps.docs.values()) {
      if (r.doc.dirty()) {
        write(ps, r.doc, now);
      }
    }
  }

  /** Sends a snapshot of {@code doc} unless it has one in this transaction or cannot have one at this version. */
  void write(PartitionState ps, DocumentState doc, long now) {
    if (doc.snapshotRefusedNow() || inThisTransaction.contains(doc)) {
      return;
    }
    byte[] bytes;
    try {
      bytes = Records.encode(doc.snapshot(now));
    } catch (RuntimeException e) {
      refuse(ps, doc, "it cannot be encoded: " + e.getMessage());
      return;
    }
    if (bytes.length > MAX_SNAPSHOT_BYTES) {
      refuse(ps, doc, "it is " + bytes.length + " bytes, over the " + MAX_SNAPSHOT_BYTES + " a record may be");
      return;
    }
    doc.measured(bytes.length);
    inThisTransaction.add(doc);
    pending.add(new Pending(ps, doc, doc.version(), doc.revision(), bytes,
        out.send(config.topics().snapshots(), ps.partition, doc.key().value(), bytes)));
  }

  private static void refuse(PartitionState ps, DocumentState doc, String reason) {
    doc.snapshotRefused();
    LOG.warn("no snapshot of {} (partition {}) at v{}: {}; it stays in memory and the checkpoint replays its ops",
        doc.key(), ps.partition, doc.version(), reason);
  }

  /** Sends the partition's checkpoint: the log end now, and where a new owner must replay from. */
  void checkpoint(PartitionState ps, long now) {
    ps.pastEnds.addLast(ps.logEnd);
    while (ps.pastEnds.size() > HISTORY_FLUSHES) {
      ps.pastEnds.removeFirst();
    }
    long replayFrom = ps.pastEnds.peekFirst();
    for (Resident r : ps.docs.values()) {
      long first = r.doc.firstUnsnapshottedOffset();
      if (first >= 0 && !inThisTransaction.contains(r.doc)) {
        replayFrom = Math.min(replayFrom, first);
      }
    }
    byte[] bytes = Records.encode(new Checkpoint(1, ps.logEnd, replayFrom, now));
    checkpoints.put(ps, new PendingCheckpoint(bytes, out.send(config.topics().snapshots(), ps.partition, Checkpoint.KEY,
        bytes)));
  }

  /**
   * After a commit: the snapshots are written; they go into their partitions' stores. A partition
   * with a checkpoint in the transaction moves its store's applied offset past it: while this
   * instance owns the partition (since its rebuild read the topic to its stable end) only its own
   * committed transactions write there, and their snapshots are all in the store.
   */
  void landed() throws ExecutionException, InterruptedException {
    Map<PartitionState, PartitionStoreBatch> batches = new LinkedHashMap<>();
    for (Pending p : pending) {
      p.sent().get();
      batches.computeIfAbsent(p.ps(), PartitionStoreBatch::new).batch.put(p.doc().key().value(), p.bytes());
      p.doc().snapshotWritten(p.version(), p.revision());
    }
    for (var e : checkpoints.entrySet()) {
      long offset = e.getValue().sent().get().offset();
      PartitionStoreBatch b = batches.computeIfAbsent(e.getKey(), PartitionStoreBatch::new);
      b.batch.put(Checkpoint.KEY, e.getValue().bytes());
      b.appliedUpTo = offset + 1;
    }
    batches.forEach((ps, b) -> b.batch.commit(b.appliedUpTo));
    clear();
  }

  /** The store writes of one partition after a commit. */
  private static final class PartitionStoreBatch {
    final dev.tandem.otservice.store.PartitionStore.Batch batch;
    long appliedUpTo;

    PartitionStoreBatch(PartitionState ps) {
      this.batch = ps.store.batch();
      this.appliedUpTo = ps.store.applied();
    }
  }

  /**
   * After an abort: nothing was written. A snapshot the producer refused for its own content
   * (too large for the broker) is not tried again at that version.
   */
  void abandon() {
    for (Pending p : pending) {
      if (p.sent().isDone()) {
        try {
          p.sent().get();
        } catch (ExecutionException e) {
          if (Failures.recordsOwn(e.getCause())) {
            refuse(p.ps(), p.doc(), "the producer refused it: " + e.getCause().getMessage());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    clear();
  }

  private void clear() {
    pending.clear();
    checkpoints.clear();
    inThisTransaction.clear();
  }
}
