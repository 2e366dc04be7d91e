package dev.tandem.access;

import dev.tandem.schemas.OpError;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * The token a connection acts under, over the connection's life: a notice before it expires
 * (the documents' {@code {"a":"auth","expiring":S}}, signaling's {@code {"type":"auth",...}}),
 * the close at its {@code exp} unless a fresh token came, and the refresh itself. Confined to
 * the event loop of the connection's owner.
 */
public final class SessionToken {

  /** The WebSocket close code when a token expires unrefreshed: 4000 + HTTP's 401. */
  public static final short CLOSE_EXPIRED = 4401;

  /** What a refresh came to. */
  public sealed interface Refresh {
    /** The new token is in force; {@code before} is what the connection had. */
    record Accepted(Principal before, Principal now) implements Refresh {}

    /** The old token stays in force; the connection still closes at its expiry. */
    record Rejected(OpError error) implements Refresh {}
  }

  private final Vertx vertx;
  private final TokenVerifier verifier;
  private final Duration notice;
  private Principal principal;
  private LongConsumer onExpiring = s -> { };
  private Runnable onExpired = () -> { };
  private long noticeTimer = -1;
  private long expiryTimer = -1;

  public SessionToken(Vertx vertx, Gate gate, Principal principal) {
    this.vertx = vertx;
    this.verifier = gate.verifier();
    this.notice = gate.config().expiryNotice();
    this.principal = principal;
  }

  public Principal principal() {
    return principal;
  }

  /** Starts the clock of the current token; call on the hub's event loop. */
  public void start(LongConsumer expiring, Runnable expired) {
    this.onExpiring = expiring;
    this.onExpired = expired;
    schedule();
  }

  private void schedule() {
    stop();
    principal.expires().ifPresent(exp -> {
      long now = System.currentTimeMillis();
      long left = Math.max(1, exp.toEpochMilli() - now);
      long noticeAt = Math.max(1, left - notice.toMillis());
      noticeTimer = vertx.setTimer(noticeAt, id -> onExpiring.accept(principal.secondsLeft(System.currentTimeMillis())));
      expiryTimer = vertx.setTimer(left, id -> onExpired.run());
    });
  }

  /** A fresh token for the same user; its grants replace the old ones. */
  public Refresh refresh(String token) {
    Principal next;
    try {
      next = verifier.verify(token, System.currentTimeMillis());
    } catch (TokenRefused e) {
      return new Refresh.Rejected(new OpError(Gate.UNAUTHORIZED, "The token was refused: " + e.getMessage()));
    }
    if (!next.user().equals(principal.user())) {
      return new Refresh.Rejected(new OpError(Gate.ACCESS_DENIED, "A fresh token must name the same user ("
          + principal.user() + "); open a new connection for another"));
    }
    Principal before = principal;
    principal = next;
    schedule();
    return new Refresh.Accepted(before, next);
  }

  /** Stops the clock (the connection closed, or a new token restarts it). */
  public void stop() {
    if (noticeTimer >= 0) {
      vertx.cancelTimer(noticeTimer);
    }
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    noticeTimer = -1;
    expiryTimer = -1;
  }
}
