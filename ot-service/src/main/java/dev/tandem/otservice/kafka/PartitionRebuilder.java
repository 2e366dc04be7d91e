package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.otservice.store.PartitionStore;
import dev.tandem.otservice.store.SnapshotStores;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
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
 * brings the partition's local store up to date with the snapshots topic (only its tail when the
 * store is on this disk already, see {@link StoreRestorer}), then replays the event log from the
 * newest checkpoint's replay point, loading each document it touches from the store, and refills
 * the history windows from the ops before their snapshots. Nothing here grows with the number of
 * documents in the partition: time grows with the ops since the checkpoint's replay point, memory
 * with the documents changed since their last snapshot (documents only read for history beyond
 * {@code TANDEM_MAX_DOCS}, counted over every partition the instance owns, leave again, see
 * {@link ResidentDocuments#trim}).
 * A document whose stored state does not load or replay is set aside
 * ({@link ResidentDocuments#setAside}); the rest of the partition is rebuilt regardless.
 */
final class PartitionRebuilder {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionRebuilder.class);

  private final OtServiceConfig config;
  private final ResidentDocuments docs;
  private final SnapshotStores stores;
  private final StoreRestorer restorer;
  private final Runnable beat;

  /** {@code beat} is called now and then during long reads: the loop is working, not stuck. */
  PartitionRebuilder(OtServiceConfig config, ResidentDocuments docs, SnapshotStores stores, Runnable beat) {
    this.config = config;
    this.docs = docs;
    this.stores = stores;
    this.restorer = new StoreRestorer(beat);
    this.beat = beat;
  }

  PartitionState rebuild(KafkaClients clients, int partition) {
    long started = System.nanoTime();
    PartitionStore store = stores.partition(partition);
    StoreRestorer.Restored restored = restorer.restore(clients.snapshots,
        new TopicPartition(config.topics().snapshots(), partition), store);
    long restoredAt = System.nanoTime();
    PartitionState ps = new PartitionState(partition, store);
    long replayFrom = checkpoint(store).map(Checkpoint::replayFrom).orElse(0L);
    TopicPartition log = new TopicPartition(config.topics().committed(), partition);
    int[] replayed = {0};
    int budget = docs.budgetFor(ps);
    Map<DocKey, List<CommittedOp>> history = new HashMap<>();
    ps.logEnd = Math.max(replayFrom, clients.log.scan(log, replayFrom, r -> {
      if (replay(ps, r, history)) {
        replayed[0]++;
      }
      docs.trim(ps, history, budget);
      if ((replayed[0] & 1023) == 0) {
        beat.run();
      }
    }));
    history.forEach((key, ops) -> {
      var resident = ps.docs.get(key);
      if (resident != null) {
        resident.doc.prependHistory(ops);
      }
    });
    ps.pastEnds.add(replayFrom);
    LOG.info("partition {} rebuilt in {} ms: store restored in {} ms from snapshot offset {} to {} ({} records), "
        + "{} ops applied and {} read for history from log offset {}, {} documents resident{}", partition,
        (System.nanoTime() - started) / 1_000_000, (restoredAt - started) / 1_000_000, restored.from(), restored.end(),
        restored.records(), replayed[0], history.values().stream().mapToInt(List::size).sum(), replayFrom,
        ps.docs.size(), ps.unavailable.isEmpty() ? "" : ", " + ps.unavailable.size() + " documents unavailable");
    return ps;
  }

  private static Optional<Checkpoint> checkpoint(PartitionStore store) {
    return store.get(Checkpoint.KEY).flatMap(bytes -> {
      try {
        return Optional.of(Records.decode(bytes, Checkpoint.class));
      } catch (MalformedRecordException | IllegalArgumentException e) {
        // The restorer stores only records that decode; this one is from an older format.
        LOG.warn("the stored checkpoint in {} does not decode ({}); replaying the whole log", store.dir(), e.getMessage());
        return Optional.empty();
      }
    });
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
    if (!op.versioned()) {
      // A change of the edit locks carries the whole table: it applies unless the state already
      // holds it (a snapshot taken after it has its offset) or an op since has moved past it.
      if (op.v() != doc.version() || r.offset() <= doc.lastOffset()) {
        return false;
      }
      doc.apply(op);
      doc.offsetOf(r.offset());
      return true;
    }
    if (op.v() < doc.version()) {
      List<CommittedOp> older = history.computeIfAbsent(op.key(), k -> new ArrayList<>());
      older.add(op);
      if (older.size() >= 2 * config.windowSize()) {
        // Only the last window's worth can go back into the window: memory per document stays bounded.
        older.subList(0, older.size() - config.windowSize()).clear();
      }
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
