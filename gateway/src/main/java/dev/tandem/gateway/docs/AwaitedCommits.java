package dev.tandem.gateway.docs;

import dev.tandem.schemas.DocKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Submits waiting for their commit, by the client op they name, with a count per document, so
 * that whether anyone awaits a document (which keeps it from leaving memory) is one lookup and
 * not a walk over every pending submit: at the cap of open documents every new one evicts another,
 * and building that set per eviction was an eighth of the hub's loop (JFR, 400 creations in flight).
 * Confined to the hub's event loop.
 */
final class AwaitedCommits<V> {

  /** A submit waiting for its commit: which document, which client op ({@code src} is the alias). */
  record Key(DocKey doc, String src, long seq) {}

  private final Map<Key, V> byOp = new HashMap<>();
  private final Map<DocKey, Integer> perDoc = new HashMap<>();

  void put(Key key, V value) {
    if (byOp.put(key, value) == null) {
      perDoc.merge(key.doc(), 1, Integer::sum);
    }
  }

  /** The waiter for {@code key}, removed; null when there is none. */
  V remove(Key key) {
    V v = byOp.remove(key);
    if (v != null) {
      uncount(key.doc());
    }
    return v;
  }

  void removeIf(Predicate<V> which) {
    for (Iterator<Map.Entry<Key, V>> it = byOp.entrySet().iterator(); it.hasNext();) {
      Map.Entry<Key, V> e = it.next();
      if (which.test(e.getValue())) {
        it.remove();
        uncount(e.getKey().doc());
      }
    }
  }

  boolean awaits(DocKey doc) {
    return perDoc.containsKey(doc);
  }

  int size() {
    return byOp.size();
  }

  private void uncount(DocKey doc) {
    perDoc.computeIfPresent(doc, (k, n) -> n == 1 ? null : n - 1);
  }
}
