package dev.tandem.otservice.kafka;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.kafka.PartitionState.Resident;
import dev.tandem.otservice.kafka.PartitionState.SnapshotRef;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SnapshotRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this instance owns and their documents in memory: loads a document from its
 * latest snapshot on first use, sets aside a document that cannot be loaded, and lets idle
 * documents (and those past the memory bound) go once their snapshot is current.
 */
final class ResidentDocuments {

  private static final Logger LOG = LoggerFactory.getLogger(ResidentDocuments.class);

  private final OtServiceConfig config;
  private final Map<Integer, PartitionState> owned = new HashMap<>();
  private PartitionReader snapshots;

  ResidentDocuments(OtServiceConfig config) {
    this.config = config;
  }

  /** The reader of the current Kafka clients, used to load snapshots. */
  void attach(PartitionReader reader) {
    this.snapshots = reader;
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
   * A Kafka error while reading is not the document's fault and is thrown.
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
      } catch (KafkaException e) {
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
    SnapshotRef ref = ps.snapshots.get(key);
    if (ref == null) {
      return DocumentState.empty(key, config.windowSize());
    }
    var record = snapshots.read(new TopicPartition(config.topics().snapshots(), ps.partition), ref.offset());
    if (record == null) {
      throw new IllegalStateException("snapshot of " + key + " at offset " + ref.offset() + " is gone");
    }
    return DocumentState.fromSnapshot(Records.decode(record.value(), SnapshotRecord.class), config.windowSize());
  }

  /** Sets {@code key} aside: its requests are refused from now on, and it leaves memory. */
  void setAside(PartitionState ps, DocKey key, String reason) {
    ps.docs.remove(key);
    if (ps.unavailable.putIfAbsent(key, reason) == null) {
      LOG.error("document {} (partition {}) is unavailable: {}; its requests are refused with ERR_DOC_UNAVAILABLE",
          key, ps.partition, reason);
    }
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
