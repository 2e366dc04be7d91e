package dev.tandem.gateway.docs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes written to this gateway's client sockets and not yet taken by the network, over all of
 * them: what slow clients make the server hold, each within its outbound budget. A gauge on
 * {@code /metrics}. Thread-safe.
 */
public final class OutboundBytes {

  private final AtomicLong queued = new AtomicLong();

  void add(long bytes) {
    queued.addAndGet(bytes);
  }

  /** Bytes queued for clients now. */
  public long queued() {
    return queued.get();
  }
}
