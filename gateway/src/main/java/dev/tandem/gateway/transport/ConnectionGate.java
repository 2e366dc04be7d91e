package dev.tandem.gateway.transport;

import dev.tandem.gateway.TransportConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission of connections to one gateway's HTTP server (all its event loops): a cap on open
 * connections, HTTP and WebSocket together, and a deadline for the first request head. A
 * connection over the cap is answered 503 (a WebSocket upgrade is refused with 503) and closed
 * within {@link #REFUSED_GRACE_MS}; one that sends no complete request head in time is closed.
 * Connections are told apart by their remote address, the only thing a WebSocket handshake and
 * its connection share in Vert.x's public API.
 */
public final class ConnectionGate {

  /** How long a refused connection may take to read its 503 before it is closed anyway. */
  static final long REFUSED_GRACE_MS = 1_000;

  private enum State { AWAITING_HEAD, ADMITTED, REFUSED }

  private final Vertx vertx;
  private final TransportConfig config;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong handshakeTimeouts = new AtomicLong();
  private final Map<String, State> states = new ConcurrentHashMap<>();
  /** How each open connection is let go, by remote address: once, whichever close is seen first. */
  private final Map<String, Runnable> releases = new ConcurrentHashMap<>();

  public ConnectionGate(Vertx vertx, TransportConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public int openConnections() {
    return open.get();
  }

  public long refusedCount() {
    return refused.get();
  }

  public long handshakeTimeoutCount() {
    return handshakeTimeouts.get();
  }

  /** For the server's connection handler, on the connection's event loop. */
  public void onConnection(HttpConnection connection) {
    String key = key(connection.remoteAddress());
    boolean over = open.incrementAndGet() > config.maxConnections();
    states.put(key, over ? State.REFUSED : State.AWAITING_HEAD);
    long deadline = over ? REFUSED_GRACE_MS : config.handshakeTimeout().toMillis();
    long timer = vertx.setTimer(deadline, t -> {
      State s = states.get(key);
      if (s == State.REFUSED || s == State.AWAITING_HEAD) {
        if (s == State.AWAITING_HEAD) {
          handshakeTimeouts.incrementAndGet();
        }
        connection.close();
      }
    });
    if (over) {
      refused.incrementAndGet();
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        vertx.cancelTimer(timer);
        states.remove(key);
        releases.remove(key);
        open.decrementAndGet();
      }
    };
    releases.put(key, release);
    // After an upgrade Vert.x reports the close to the WebSocket only, never to this connection:
    // upgraded() releases it then.
    connection.closeHandler(v -> release.run());
  }

  /**
   * For the server's WebSocket handler: the upgraded connection stays counted until its socket's
   * close handler (its TCP connection closed) runs what this returns; Vert.x reports that close
   * to the socket, never to the HTTP connection it was upgraded from.
   */
  public Runnable upgraded(ServerWebSocket socket) {
    Runnable release = releases.get(key(socket.remoteAddress()));
    return release != null ? release : () -> { };
  }

  /** True when the request may be served; otherwise it has been answered 503. */
  public boolean admit(HttpServerRequest request) {
    if (states.replace(key(request.connection().remoteAddress()), State.AWAITING_HEAD, State.ADMITTED)
        || states.get(key(request.connection().remoteAddress())) != State.REFUSED) {
      return true;
    }
    request.response().setStatusCode(503).putHeader("connection", "close").putHeader("retry-after", "5")
        .putHeader("content-type", "text/plain").end("the server has too many connections; try again later\n");
    return false;
  }

  /** True when the upgrade may go on; otherwise it has been refused with 503. */
  public boolean admit(ServerWebSocketHandshake handshake) {
    String key = key(handshake.remoteAddress());
    if (states.replace(key, State.AWAITING_HEAD, State.ADMITTED) || states.get(key) != State.REFUSED) {
      return true;
    }
    handshake.reject(503);
    return false;
  }

  private static String key(SocketAddress address) {
    return address == null ? "?" : address.toString();
  }
}
