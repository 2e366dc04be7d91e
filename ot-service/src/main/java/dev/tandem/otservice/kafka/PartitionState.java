package dev.tandem.otservice.kafka;

import dev.tandem.otservice.state.DocumentState;
import dev.tandem.otservice.store.PartitionStore;
import dev.tandem.schemas.DocKey;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an ot-service instance holds for one partition it owns: the resident documents (least
 * recently used first), the local store of every document's latest snapshot, the documents it
 * cannot load, and how far the event log of this partition reaches.
 */
final class PartitionState {

  final int partition;
  /** Resident documents in access order, so the first is the least recently used. */
  final LinkedHashMap<DocKey, Resident> docs = new LinkedHashMap<>(16, 0.75f, true);
  /** Every document's latest snapshot, on local disk: what a cold document is loaded from. */
  final PartitionStore store;
  /**
   * Documents whose stored state cannot be loaded (a snapshot that does not decode, an op in the
   * log that does not apply or leaves a gap), with the reason: their requests are refused with
   * {@code ERR_DOC_UNAVAILABLE} instead of failing every transaction of the partition.
   */
  final Map<DocKey, String> unavailable = new HashMap<>();
  /** The offset after the last record of this partition of the event log. */
  long logEnd;
  /** The log ends at the last few flushes, oldest first: where a new owner replays history from. */
  final ArrayDeque<Long> pastEnds = new ArrayDeque<>();

  PartitionState(int partition, PartitionStore store) {
    this.partition = partition;
    this.store = store;
  }

  /** A resident document and when it was last used. */
  static final class Resident {
    final DocumentState doc;
    long lastUsed;

    Resident(DocumentState doc, long lastUsed) {
      this.doc = doc;
      this.lastUsed = lastUsed;
    }
  }
}
