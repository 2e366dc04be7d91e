package dev.tandem.gateway.docs;

import dev.tandem.schemas.DocKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Submits waiting for their commit, by the client op they name, with a count per document, so
 * that whether anyone awaits a document (which keeps it from leaving memory) is one lookup and
 * not a walk over every pending submit: at the cap of open documents every new one evicts another,
 * and building that set per eviction was an eighth of the hub's loop (JFR, 400 creations in flight).
 * Kept per {@code src} as well, so that a closing connection drops its own without a walk over
 * everyone's. Confined to the hub's event loop.
 */
final class AwaitedCommits<V> {

  /** A submit waiting for its commit: which document, which client op ({@code src} is the alias). */
  record Key(DocKey doc, String src, long seq) {}

  private final Map<Key, V> byOp = new HashMap<>();
  private final Map<DocKey, Integer> perDoc = new HashMap<>();
  private final Map<String, Set<Key>> perSrc = new HashMap<>();

  void put(Key key, V value) {
    if (byOp.put(key, value) == null) {
      perDoc.merge(key.doc(), 1, Integer::sum);
      perSrc.computeIfAbsent(key.src(), s -> new HashSet<>()).add(key);
    }
  }

  /** The waiter for {@code key}, removed; null when there is none. */
  V remove(Key key) {
    V v = byOp.remove(key);
    if (v != null) {
      forget(key);
    }
    return v;
  }

  /**
   * Removes the waiters of {@code src}'s submits that {@code which} picks (a client that
   * reconnected under the same id may wait for some of them on its new connection).
   */
  void removeIf(String src, Predicate<V> which) {
    Set<Key> keys = perSrc.get(src);
    if (keys == null) {
      return;
    }
    for (Key key : List.copyOf(keys)) {
      if (which.test(byOp.get(key))) {
        byOp.remove(key);
        forget(key);
      }
    }
  }

  boolean awaits(DocKey doc) {
    return perDoc.containsKey(doc);
  }

  int size() {
    return byOp.size();
  }

  private void forget(Key key) {
    perDoc.computeIfPresent(key.doc(), (k, n) -> n == 1 ? null : n - 1);
    perSrc.computeIfPresent(key.src(), (k, keys) -> keys.remove(key) && keys.isEmpty() ? null : keys);
  }
}
