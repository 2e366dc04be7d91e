package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.PartitionState.Resident;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.otservice.store.PartitionStore;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SnapshotRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this instance owns and their documents in memory: loads a document from its
 * latest snapshot in the partition's local store on first use (a local lookup, no Kafka read), sets aside a document that cannot be loaded, and lets idle
 * documents (and those past the memory bound) go once their snapshot is current.
 */
final class ResidentDocuments {

  private static final Logger LOG = LoggerFactory.getLogger(ResidentDocuments.class);

  private final OtServiceConfig config;
  private final Map<Integer, PartitionState> owned = new HashMap<>();

  ResidentDocuments(OtServiceConfig config) {
    this.config = config;
  }

  PartitionState partition(int partition) {
    return owned.get(partition);
  }

  void put(PartitionState ps) {
    owned.put(ps.partition, ps);
  }

  void remove(int partition) {
    owned.remove(partition);
  }

  void clear() {
    owned.clear();
  }

  Collection<PartitionState> partitions() {
    return owned.values();
  }

  /**
   * The resident document, or the document loaded from its latest snapshot; empty when its
   * stored state cannot be loaded (it is then set aside for good, see {@link PartitionState#unavailable}).
   * An error of the store (a failing disk) is not the document's fault and is thrown.
   */
  Optional<DocumentState> document(PartitionState ps, DocKey key) {
    if (ps.unavailable.containsKey(key)) {
      return Optional.empty();
    }
    Resident r = ps.docs.get(key);
    long now = System.currentTimeMillis();
    if (r == null) {
      DocumentState doc;
      try {
        doc = load(ps, key);
      } catch (KafkaException | PartitionStore.StoreException e) {
        throw e;
      } catch (RuntimeException e) {
        setAside(ps, key, "its snapshot cannot be loaded: " + e.getMessage());
        return Optional.empty();
      }
      r = new Resident(doc, now);
      ps.docs.put(key, r);
    }
    r.lastUsed = now;
    return Optional.of(r.doc);
  }

  private DocumentState load(PartitionState ps, DocKey key) {
    Optional<byte[]> stored = ps.store.get(key.value());
    if (stored.isEmpty()) {
      return DocumentState.empty(key, config.windowSize());
    }
    return DocumentState.fromSnapshot(Records.decode(stored.get(), SnapshotRecord.class), config.windowSize());
  }

  /** Sets {@code key} aside: its requests are refused from now on, and it leaves memory. */
  void setAside(PartitionState ps, DocKey key, String reason) {
    ps.docs.remove(key);
    if (ps.unavailable.putIfAbsent(key, reason) == null) {
      LOG.error("document {} (partition {}) is unavailable: {}; its requests are refused with ERR_DOC_UNAVAILABLE",
          key, ps.partition, reason);
    }
  }

  /**
   * How many documents a partition being rebuilt may keep resident: what the instance-wide bound
   * leaves after the partitions it owns already (at least none). A bound per partition let eight
   * partitions of a 50,000-document restart keep all of them and their history (out of memory in
   * a 512 MiB heap).
   */
  int budgetFor(PartitionState rebuilding) {
    PartitionState previous = owned.get(rebuilding.partition);
    int others = resident() - (previous == null ? 0 : previous.docs.size());
    return Math.max(0, config.maxResidentDocs() - others);
  }

  /**
   * During a rebuild: while the partition holds more than {@code budget} ({@link #budgetFor}), lets the least recently used
   * documents go that have nothing unsnapshotted (they load again from the store), with what was
   * gathered to refill their history window. Looks at a few of the oldest at a time: a replay of
   * only changed documents grows past the bound until the first flush, as it must.
   */
  void trim(PartitionState ps, Map<DocKey, ?> history, int budget) {
    int excess = ps.docs.size() - budget;
    int looked = 0;
    for (Iterator<Map.Entry<DocKey, Resident>> it = ps.docs.entrySet().iterator(); excess > 0 && it.hasNext()
        && looked < 64; looked++) {
      Map.Entry<DocKey, Resident> e = it.next();
      if (!e.getValue().doc.dirty()) {
        it.remove();
        history.remove(e.getKey());
        excess--;
      }
    }
  }

  /** Documents in memory over every partition owned. */
  int resident() {
    int n = 0;
    for (PartitionState ps : owned.values()) {
      n += ps.docs.size();
    }
    return n;
  }

  /** Lets idle documents go, and the least recently used ones while more than the bound are resident. */
  void evict(long now) {
    int resident = owned.values().stream().mapToInt(ps -> ps.docs.size()).sum();
    for (PartitionState ps : owned.values()) {
      for (Iterator<Resident> it = ps.docs.values().iterator(); it.hasNext();) {
        Resident r = it.next();
        boolean idle = now - r.lastUsed >= config.idleEvict().toMillis();
        if (!r.doc.dirty() && (idle || resident > config.maxResidentDocs())) {
          it.remove();
          resident--;
        }
      }
    }
  }
}
