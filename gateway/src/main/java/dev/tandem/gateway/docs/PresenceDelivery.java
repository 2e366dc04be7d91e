package dev.tandem.gateway.docs;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Presence for one receiver goes out at the next delivery tick, together with everything else
 * held for it: one socket write per receiver per tick rather than one per cursor move, which is
 * what 200 people moving their cursors cost in system calls. A value not yet sent when a newer
 * one of the same presence arrives is replaced (the last value wins); a receiver that is not
 * draining keeps its values for a later tick. Confined to the hub's event loop.
 */
final class PresenceDelivery {

  private final Vertx vertx;
  private final long batchMillis;
  private final AtomicLong superseded = new AtomicLong();
  /** Receivers with presence held for the next tick. */
  private final Set<Peer> held = new LinkedHashSet<>();
  private long tick = -1;

  /** {@code batch} zero or less writes each value at once. */
  PresenceDelivery(Vertx vertx, Duration batch) {
    this.vertx = vertx;
    this.batchMillis = batch.toMillis();
  }

  long supersededCount() {
    return superseded.get();
  }

  void queue(Peer peer, String ch, String id, SharedText text) {
    if (batchMillis <= 0) {
      peer.send(text);
      return;
    }
    if (peer.queuePresence(ch, id, text)) {
      superseded.incrementAndGet();
    }
    held.add(peer);
    armTick();
  }

  /** A receiver that closed. */
  void forget(Peer peer) {
    held.remove(peer);
  }

  private void armTick() {
    if (tick < 0 && !held.isEmpty()) {
      tick = vertx.setTimer(batchMillis, t -> {
        tick = -1;
        held.removeIf(Peer::flushPresence);
        armTick();
      });
    }
  }
}
