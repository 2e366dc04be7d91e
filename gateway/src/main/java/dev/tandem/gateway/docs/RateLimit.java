package dev.tandem.gateway.docs;

/** A token bucket: {@code perSecond} messages a second, bursts of twice that. Confined to one thread. */
final class RateLimit {

  private final double perMilli;
  private final double capacity;
  private double tokens;
  private long last = System.nanoTime();

  RateLimit(int perSecond) {
    this.perMilli = perSecond / 1000.0;
    this.capacity = perSecond * 2.0;
    this.tokens = capacity;
  }

  boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) / 1_000_000.0 * perMilli);
    last = now;
    if (tokens >= 1) {
      tokens--;
      return true;
    }
    return false;
  }
}
