package dev.tandem.gateway.docs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Presence held for one receiver until the hub's next delivery tick: the latest value per
 * channel and presence id, written together at the tick. Confined to the hub's event loop.
 */
final class PresenceOutbox {

  /** Where a queued presence value belongs: one value per channel and presence id. */
  private record Key(String ch, String id) {}

  private final Map<Key, SharedText> held = new LinkedHashMap<>();

  /** True when {@code message} replaced a value not yet sent. */
  boolean hold(String ch, String id, SharedText message) {
    return held.put(new Key(ch, id), message) != null;
  }

  /**
   * Writes what is held since the last tick, counted against the budget together. Presence may
   * overtake an op still queued, which ShareDB clients handle (a value names its version). A
   * socket that is not draining keeps only the latest value of each presence: false, kept.
   */
  boolean flush(SocketWriter out) {
    if (held.isEmpty()) {
      return true;
    }
    if (!out.draining()) {
      return false;
    }
    out.write(held.values());
    held.clear();
    return true;
  }

  void drop(String ch) {
    held.keySet().removeIf(k -> k.ch().equals(ch));
  }

  void clear() {
    held.clear();
  }
}
