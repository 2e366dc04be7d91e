package dev.tandem.access;

import java.time.Instant;
import java.util.Optional;

/**
 * Who a connection or request acts for, and what they may do: from a verified token, or the
 * anonymous user of {@code dev} mode (every grant, no expiry).
 *
 * @param user the token's {@code sub}: recorded with every op, shown in presence and calls
 * @param name the token's {@code name}, for others to see, when given
 * @param grants the token's claim {@code tandem}
 * @param expires the token's {@code exp}; empty for the anonymous dev user
 * @param token the token itself, empty for the anonymous user (never logged)
 */
public record Principal(String user, Optional<String> name, Grants grants, Optional<Instant> expires,
    Optional<String> token) {

  /** The anonymous user of {@code dev} mode, named {@code user}. */
  public static Principal anonymous(String user) {
    return new Principal(user, Optional.empty(), Grants.ALL, Optional.empty(), Optional.empty());
  }

  /** Seconds of life left at {@code nowMillis} (Long.MAX_VALUE without expiry, never below 0). */
  public long secondsLeft(long nowMillis) {
    return expires.map(e -> Math.max(0, (e.toEpochMilli() - nowMillis) / 1000)).orElse(Long.MAX_VALUE);
  }

  public DocLevel doc(String collection, String id) {
    return grants.doc(collection, id);
  }

  @Override
  public String toString() {
    return "Principal[user=" + user + ", grants=" + grants + ", expires=" + expires + "]";
  }
}
